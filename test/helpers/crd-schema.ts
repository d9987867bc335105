import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { loadYamlFile } from './fixtures';

/*
 * Custom resources validated against the upstream CustomResourceDefinitions copied to test/schemas/crds/ (provenance in
 * SOURCES.txt there): the served version's openAPIV3Schema (types, enums, required fields) with ajv, and its CEL rules
 * (x-kubernetes-validations) with a CEL engine (expectCrdCelValid). Not evaluated: formats (date-time, only under status).
 */

const CRD_DIR = path.join(__dirname, '..', 'schemas', 'crds');
let crdCache: any[] | undefined;
const validators = new Map<string, ValidateFunction>();

function crds(): any[] {
  crdCache ??= fs.readdirSync(CRD_DIR).filter(f => f.endsWith('.yaml')).sort()
    .flatMap(f => loadYamlFile(path.join(CRD_DIR, f)))
    .filter(c => c?.kind === 'CustomResourceDefinition');
  return crdCache;
}

/**
 * The validator of the served version's `openAPIV3Schema` of `group/version` `kind`, from the CRD that defines it.
 * Fails when no CRD defines the kind or the CRD does not serve that version.
 */
export function crdValidator(apiVersion: string, kind: string): ValidateFunction {
  const known = validators.get(`${apiVersion} ${kind}`);
  if (known) return known;
  const [group, version] = apiVersion.split('/');
  const crd = crds().find(c => c.spec?.group === group && c.spec?.names?.kind === kind);
  if (!crd) throw new Error(`no CRD under test/schemas/crds defines ${apiVersion} ${kind}`);
  const served = (crd.spec.versions as any[]).find(v => v.name === version);
  if (!served?.served) throw new Error(`the CRD of ${kind} does not serve ${apiVersion}`);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  const validate = ajv.compile(served.schema.openAPIV3Schema);
  validators.set(`${apiVersion} ${kind}`, validate);
  return validate;
}

/** The schema errors of a custom resource against its upstream CRD (empty when valid). */
export function crdErrors(manifest: any): string[] {
  const validate = crdValidator(String(manifest?.apiVersion), String(manifest?.kind));
  return validate(manifest) ? [] : (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The CRD validator of a custom resource's apiVersion and kind, or undefined when no CRD of test/schemas/crds serves it. */
export function crdValidatorOf(manifest: any): { validate(): void } | undefined {
  try {
    crdValidator(String(manifest?.apiVersion), String(manifest?.kind));
  } catch {
    return undefined;
  }
  return {
    validate: () => {
      const errors = crdErrors(manifest);
      if (errors.length > 0) throw new Error(`${manifest.kind} ${manifest.metadata?.name}: ${errors.join('; ')}`);
    },
  };
}

/**
 * Validates custom resources against their CRDs (only those of `kinds`, when given; an unknown kind is a failure);
 * throws listing every failure, else returns how many were checked.
 */
export function expectCrdValid(manifests: any[], kinds?: string[]): number {
  const checked = kinds ? manifests.filter(m => kinds.includes(m?.kind)) : manifests;
  const errors: string[] = [];
  for (const manifest of checked) {
    try {
      errors.push(...crdErrors(manifest).map(e => `${manifest.kind} ${manifest.metadata?.name}: ${e}`));
    } catch (e) {
      errors.push(`${manifest?.kind} ${manifest?.metadata?.name}: ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) throw new Error(`CRD schema validation failed:\n  ${errors.join('\n  ')}`);
  return checked.length;
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
  for (const manifest of manifests) {
    const [group, version] = String(manifest?.apiVersion).split('/');
    const crd = crds().find(c => c.spec.group === group && c.spec.names.kind === manifest?.kind);
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
