import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { loadYamlFile } from './fixtures';

/*
 * Custom resources validated against the upstream CustomResourceDefinitions copied to test/schemas/crds/ (see SOURCES.txt):
 * the served version's openAPIV3Schema (types, enums, required fields) with ajv, and its CEL rules
 * (x-kubernetes-validations) with a CEL engine (expectCrdCelValid). Not evaluated: formats (date-time, only under status).
 */

const CRD_DIR = path.join(__dirname, '..', 'schemas', 'crds');
let validators: Map<string, (manifest: any) => void> | undefined;

/** `apiVersion/kind` -> a validator of that served version's openAPIV3Schema, for every CRD under test/schemas/crds. */
function loadValidators(): Map<string, (manifest: any) => void> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const found = new Map<string, (manifest: any) => void>();
  const files = fs.existsSync(CRD_DIR) ? fs.readdirSync(CRD_DIR).filter(f => f.endsWith('.yaml')).sort() : [];
  for (const crd of files.flatMap(f => loadYamlFile(path.join(CRD_DIR, f)))) {
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec.versions ?? []) {
      if (!version.served) continue;
      const validate = ajv.compile(version.schema.openAPIV3Schema);
      found.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, manifest => {
        if (!validate(manifest)) {
          throw new Error(ajv.errorsText(validate.errors, { dataVar: `${manifest.kind} ${manifest.metadata?.name}` }));
        }
      });
    }
  }
  return found;
}

/** The CRD validator of a custom resource's apiVersion and kind, or undefined when no CRD of test/schemas/crds defines it. */
export function crdValidatorOf(manifest: any): { validate(): void } | undefined {
  validators ??= loadValidators();
  const check = validators.get(`${manifest?.apiVersion}/${manifest?.kind}`);
  return check ? { validate: () => check(manifest) } : undefined;
}

/** Validates custom resources against their CRDs; throws listing every failure (an unknown kind is a failure). */
export function expectCrdValid(manifests: any[]): void {
  const errors: string[] = [];
  for (const manifest of manifests) {
    const validator = crdValidatorOf(manifest);
    if (!validator) {
      errors.push(`${manifest?.kind} ${manifest?.metadata?.name}: no CRD for ${manifest?.apiVersion}`);
      continue;
    }
    try {
      validator.validate();
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(`CRD schema validation failed:\n  ${errors.join('\n  ')}`);
}

/** One CEL rule of a CRD schema applied to one value of a manifest. */
interface CelCheck {
  readonly subject: string;
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
  readonly self: unknown;
}

/**
 * Evaluates the CRDs' CEL rules (`x-kubernetes-validations`, without `oldSelf`: creation) on custom resources, with
 * the CEL engine @marcbachmann/cel-js run in a child Node process (it is ESM-only); throws listing every rule that
 * fails or cannot be evaluated.
 */
export function expectCrdCelValid(manifests: any[]): number {
  const checks: CelCheck[] = [];
  const crds = fs.readdirSync(CRD_DIR).filter(f => f.endsWith('.yaml')).flatMap(f => loadYamlFile(path.join(CRD_DIR, f)))
    .filter(c => c?.kind === 'CustomResourceDefinition');
  for (const manifest of manifests) {
    const [group, version] = String(manifest?.apiVersion).split('/');
    const crd = crds.find(c => c.spec.group === group && c.spec.names.kind === manifest?.kind);
    const served = crd?.spec.versions.find((v: any) => v.name === version && v.served);
    if (!served) throw new Error(`${manifest?.kind} ${manifest?.metadata?.name}: no CRD for ${manifest?.apiVersion}`);
    collectCel(served.schema.openAPIV3Schema, manifest, '', `${manifest.kind} ${manifest.metadata?.name}`, checks);
  }
  if (checks.length === 0) return 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('child_process');
  const output = execFileSync(process.execPath, [path.join(__dirname, 'cel-evaluate.mjs')],
    { input: JSON.stringify(checks.map(c => ({ rule: c.rule, self: c.self }))), cwd: path.join(__dirname, '..', '..') });
  const results: Array<{ ok?: boolean; error?: string }> = JSON.parse(String(output));
  const failures = checks.flatMap((c, i) => (results[i].ok ? [] : [`${c.subject} ${c.pointer || '/'}: ${results[i].error ?? c.message} (rule: ${c.rule})`]));
  if (failures.length > 0) throw new Error(`CRD CEL validation failed:\n  ${failures.join('\n  ')}`);
  return checks.length;
}

function collectCel(schema: any, value: unknown, pointer: string, subject: string, checks: CelCheck[]): void {
  if (value === undefined || value === null || schema === undefined) return;
  for (const validation of schema['x-kubernetes-validations'] ?? []) {
    if (String(validation.rule).includes('oldSelf')) continue;
    checks.push({ subject, pointer, rule: validation.rule, message: validation.message, self: value });
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectCel(schema.items, item, `${pointer}/${i}`, subject, checks));
  } else if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      collectCel(childSchema, child, `${pointer}/${key}`, subject, checks);
    }
  }
}
