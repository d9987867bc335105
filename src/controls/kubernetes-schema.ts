import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOfVersion, kubernetesSchema as schema, schemaVersionOf, servedGroups } from './core/kubernetes-schema-data';
import { escapePointerSegment } from './core/pod-template';

// The schema is read on first use (kubernetes-schema-data): nothing parses its 200 kB until an object needs it.

/** The Kubernetes version whose schema this control holds objects to (not the pinned PSS version). */
const KUBERNETES_VERSION = '1.27';

/**
 * Objects of built-in kinds conform to the Kubernetes 1.27 OpenAPI schema: required fields are present, every
 * field has its type (integer, string, integer-or-string, quantity...), and closed sets hold one of their values.
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding as admissionregistration.k8s.io/v1 (which the
 * library emits, AdmissionGuardrails) are held to their Kubernetes 1.30 schema.
 */
export class KubernetesSchema extends Control {
  constructor() {
    super({
      id: 'kubernetes-schema',
      title: 'Objects of built-in kinds conform to the Kubernetes 1.27 schema (v1 admission policies: 1.30)',
      severity: Severity.ERROR,
      rationale: 'An object the API server rejects, or half-decodes, is not what was reviewed: a probe whose port was '
        + 'dropped in serialization, replicas written as text or an imagePullPolicy that is no policy only surface '
        + 'at `kubectl apply`, mid-rollout, after other objects of the same apply were already created. Every object '
        + 'whose apiVersion is a built-in API group is validated against the OpenAPI schema of Kubernetes 1.27 '
        + '(the version of cdk8s-plus-27, whatever PSS version is pinned): required fields, types and enums. '
        + 'Two kinds are held to Kubernetes 1.30 instead: ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding '
        + 'as admissionregistration.k8s.io/v1, which the library itself emits (AdmissionGuardrails) and which only the '
        + 'API server of a cluster enforcing them serves (1.30 or later; 1.27 serves them as v1alpha1 only, still '
        + 'refused here in any other form). '
        + 'Objects of other groups (custom resources) are not checked by this control; neither are unknown fields '
        + '(the OpenAPI schema allows them, and the API server drops them), value formats such as names, '
        + 'quantities\' syntax or integer ranges, nor cross-field rules.',
      remediation: 'Write the object as Kubernetes 1.27 (for v1 admission policies: 1.30) defines it: add the missing required field, give each field '
        + 'a value of its type (a number without quotes, a port as a number or an IANA name), and use one of the '
        + 'listed values of a closed set. For an apiVersion/kind Kubernetes 1.27 does not serve, use the one it does.',
      // kubeconform and `kubectl apply --validate=strict` do this check; no catalog of ControlReferences has it.
      references: {},
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: 'The API server validates every object against its own schema before admission.' };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return false;
    const { apiVersion, kind } = manifest;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return false;
    // `kind: List` is kubectl's client-side container, not an API object; its items are checked one by one.
    if (apiVersion === 'v1' && kind === 'List') return false;
    return servedGroups().has(apiGroupOfVersion(apiVersion));
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const { apiVersion, kind } = manifest;
    const key = `${apiVersion}/${kind}`;
    const definitions = schema().definitions;
    if (!Object.prototype.hasOwnProperty.call(schema().kinds, key)) return [notServed(manifest)];
    const found: Violation[] = [];
    validatorOf(resolve(`${REF_PREFIX}${schema().kinds[key]}`, definitions), definitions)(manifest,
      { path: [], definitions, subject: describeObject(manifest), version: schemaVersionOf(key), found });
    if (found.length === 0) return found;
    // Deterministic: sorted by pointer, then message; one violation per pointer and message.
    const unique = new Map(found.map(v => [`${v.pointer}\u0000${v.message}`, v]));
    return [...unique.keys()].sort().map(k => unique.get(k)!);
  }
}

// --- validation -----------------------------------------------------------------------------------------------------

/**
 * The schema keywords the generated file holds (build-tools/kubernetes-schema.ts keeps no others): `$ref` (to
 * `#/definitions/...`), `type`, `enum`, `properties`, `required`, `additionalProperties` (a schema), `items`, and
 * `oneOf` whose alternatives are disjoint types (integer-or-string, number-or-string), so "exactly one" is "any".
 */
interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly enum?: string[];
  readonly properties?: Record<string, Schema>;
  readonly required?: string[];
  readonly additionalProperties?: Schema;
  readonly items?: Schema;
  readonly oneOf?: Schema[];
}

const REF_PREFIX = '#/definitions/';

/**
 * One validation's state. The path of the value being validated is a stack of raw segments, turned into a JSON
 * pointer only for a violation: building every node's pointer cost more than the validation (most nodes are valid).
 */
interface Walk {
  readonly path: Array<string | number>;
  readonly definitions: Record<string, unknown>;
  readonly subject: string;
  /** The Kubernetes version whose schema the object is held to. */
  readonly version: string;
  readonly found: Violation[];
}

/** The JSON pointer of the walk's current value. */
function pointerOf(walk: Walk): string {
  let text = '';
  for (const segment of walk.path) text += `/${typeof segment === 'number' ? segment : escapePointerSegment(segment)}`;
  return text;
}

/** `$ref`s resolved (and checked: a dangling reference is a broken schema) in `resolvedIn`, the one schema file read. */
let resolvedIn: Record<string, unknown> | undefined;
let resolved = new Map<string, Schema>();

function resolve(ref: string, definitions: Record<string, unknown>): Schema {
  if (definitions !== resolvedIn) {
    resolvedIn = definitions;
    resolved = new Map();
  }
  let definition = resolved.get(ref);
  if (definition === undefined) {
    const name = ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
    if (name === undefined || !Object.prototype.hasOwnProperty.call(definitions, name)) {
      throw new Error(`kubernetes-schema: the schema file refers to unknown definition ${ref}`);
    }
    definition = definitions[name] as Schema;
    resolved.set(ref, definition);
  }
  return definition;
}

/** Appends the violations of a value (at the walk's path) to the walk's `found`. */
type Validator = (value: any, walk: Walk) => void;

/**
 * Each schema node's validator, built once from the node (its keywords read once, its properties in a Map): the
 * schema is walked for every node of every object of an input, and reading the keywords on each visit cost as much as
 * the checks.
 */
const VALIDATORS = new WeakMap<Schema, Validator>();

function validatorOf(node: Schema, definitions: Record<string, unknown>): Validator {
  let validator = VALIDATORS.get(node);
  if (validator === undefined) {
    // Built on first use: definitions refer to one another (and to themselves), and most are never reached.
    let built: Validator | undefined;
    validator = (value, walk) => (built ??= buildValidator(node, definitions))(value, walk);
    VALIDATORS.set(node, validator);
  }
  return validator;
}

function buildValidator(node: Schema, definitions: Record<string, unknown>): Validator {
  const ref = node.$ref !== undefined ? validatorOf(resolve(node.$ref, definitions), definitions) : undefined;
  const { oneOf, type, enum: values, required } = node;
  const items = node.items !== undefined ? validatorOf(node.items, definitions) : undefined;
  const properties = node.properties !== undefined
    ? new Map(Object.entries(node.properties).map(([key, property]) => [key, validatorOf(property, definitions)])) : undefined;
  const additional = node.additionalProperties !== undefined ? validatorOf(node.additionalProperties, definitions) : undefined;
  return (value, walk) => {
    if (ref !== undefined) ref(value, walk);
    // A null field is an unset field to the API server, and an undefined one is not serialized at all: nothing to
    // check (a required one is reported by its parent).
    if (value === null || value === undefined) return;
    const { subject, found } = walk;
    if (oneOf !== undefined && !oneOf.some(alternative => isType(value, alternative.type))) {
      const pointer = pointerOf(walk);
      const wanted = oneOf.map(a => typeName(a.type)).sort().join(' or ');
      found.push({
        pointer,
        message: `${subject}: ${fieldOf(pointer)} is ${describeValue(value)}, not ${wanted}`,
        fix: `Give ${pointer} ${wanted}.`,
      });
      return;
    }
    if (type !== undefined && !isType(value, type)) {
      const pointer = pointerOf(walk);
      const quotes = type === 'integer' || type === 'number' || type === 'boolean' ? ' (without quotes)' : '';
      found.push({
        pointer,
        message: `${subject}: ${fieldOf(pointer)} is ${describeValue(value)}, not ${typeName(type)}`,
        fix: `Give ${pointer} ${typeName(type)} value${quotes}.`,
      });
      return;
    }
    if (values !== undefined && !values.includes(value)) {
      const pointer = pointerOf(walk);
      found.push({
        pointer,
        message: `${subject}: ${fieldOf(pointer)} is ${describeValue(value)}, not one of ${values.join(', ')}`,
        fix: `Set ${pointer} to one of ${values.join(', ')}.`,
      });
    }
    const path = walk.path;
    if (Array.isArray(value)) {
      if (items !== undefined) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          items(value[i], walk);
          path.pop();
        }
      }
      return;
    }
    if (typeof value !== 'object') return;
    if (required !== undefined) {
      for (const field of required) {
        if (value[field] === null || value[field] === undefined || !Object.prototype.hasOwnProperty.call(value, field)) {
          const pointer = pointerOf(walk);
          found.push({
            pointer: `${pointer}/${escapePointerSegment(field)}`,
            message: `${subject}: required property '${field}' missing`,
            fix: `Set ${field} at ${pointer || '/'}: Kubernetes ${walk.version} rejects the object without it.`,
          });
        }
      }
    }
    // Unknown fields are not violations: the OpenAPI schema allows them (the API server drops them).
    if (properties === undefined && additional === undefined) return;
    for (const key of Object.keys(value)) {
      const property = properties?.get(key) ?? additional;
      if (property === undefined) continue;
      path.push(key);
      property(value[key], walk);
      path.pop();
    }
  };
}

function isType(value: unknown, type: string | undefined): boolean {
  switch (type) {
    case undefined: return true;
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    default: throw new Error(`kubernetes-schema: the schema file holds unknown type ${JSON.stringify(type)}`);
  }
}

// --- violations ---------------------------------------------------------------------------------------------------

function notServed(manifest: any): Violation {
  const { apiVersion, kind } = manifest;
  const group = apiGroupOfVersion(apiVersion);
  const servedAs = Object.keys(schema().kinds).sort()
    .filter(k => k.endsWith(`/${kind}`) && apiGroupOfVersion(k.slice(0, k.lastIndexOf('/'))) === group)
    .map(k => k.slice(0, k.lastIndexOf('/')) + (schemaVersionOf(k) === KUBERNETES_VERSION ? '' : ` (served from Kubernetes ${schemaVersionOf(k)})`));
  return {
    pointer: servedAs.length > 0 ? '/apiVersion' : '/kind',
    message: `${describeObject(manifest)}: Kubernetes ${KUBERNETES_VERSION} serves no kind ${JSON.stringify(kind)} in ${apiVersion}`,
    fix: servedAs.length > 0
      ? `Use apiVersion ${servedAs.join(' or ')} for ${kind} (the version${servedAs.length > 1 ? 's' : ''} this schema holds it to).`
      : `Use a kind Kubernetes ${KUBERNETES_VERSION} serves in ${apiVersion} (see \`kubectl api-resources\`).`,
  };
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer', number: 'a number', string: 'a string', boolean: 'a boolean', object: 'an object', array: 'an array',
};

function typeName(type: string | undefined): string {
  return TYPE_NAMES[String(type)] ?? String(type);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const kind = typeof value === 'number' ? (Number.isInteger(value) ? 'the integer' : 'the number') : `the ${typeof value}`;
  const text = JSON.stringify(value) ?? String(value);
  return `${kind} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** The field a pointer ends at, for messages: `/spec/replicas` -> `replicas`, `/spec/containers/0` -> `containers/0`. */
function fieldOf(pointer: string): string {
  const tokens = pointer.split('/').slice(1).map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.length - 1;
  if (last < 0) return 'the object';
  return /^\d+$/.test(tokens[last]) && last > 0 ? `${tokens[last - 1]}/${tokens[last]}` : tokens[last];
}
