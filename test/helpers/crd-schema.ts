import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as yaml from 'js-yaml';

/** Upstream CustomResourceDefinitions copied under test/schemas/crds (provenance in SOURCES.txt there). */
const CRD_DIR = path.join(__dirname, '..', 'schemas', 'crds');
const validators = new Map<string, ValidateFunction>();

/**
 * The validator of the served version's `openAPIV3Schema` of `group/version` `kind`, from the CRD file that defines
 * it. Fails when the CRD does not serve that version.
 */
export function crdValidator(apiVersion: string, kind: string): ValidateFunction {
  const known = validators.get(`${apiVersion} ${kind}`);
  if (known) return known;
  const [group, version] = apiVersion.split('/');
  for (const file of fs.readdirSync(CRD_DIR).filter(f => f.endsWith('.yaml'))) {
    for (const crd of yaml.loadAll(fs.readFileSync(path.join(CRD_DIR, file), 'utf8')) as any[]) {
      if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.group !== group || crd.spec?.names?.kind !== kind) continue;
      const served = (crd.spec.versions as any[]).find(v => v.name === version);
      if (!served?.served) throw new Error(`${file} does not serve ${apiVersion} ${kind}`);
      const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
      const validate = ajv.compile(served.schema.openAPIV3Schema);
      validators.set(`${apiVersion} ${kind}`, validate);
      return validate;
    }
  }
  throw new Error(`no CRD under test/schemas/crds defines ${apiVersion} ${kind}`);
}

/** The schema errors of a custom resource against its upstream CRD (empty when valid). */
export function crdErrors(manifest: any): string[] {
  const validate = crdValidator(manifest.apiVersion, manifest.kind);
  return validate(manifest) ? [] : (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Fails unless every manifest of `kinds` validates against its upstream CRD; returns how many were checked. */
export function expectCrdValid(manifests: any[], kinds: string[]): number {
  const checked = manifests.filter(m => kinds.includes(m.kind));
  const errors = checked.flatMap(m => crdErrors(m).map(e => `${m.kind} ${m.metadata?.name}: ${e}`));
  if (errors.length > 0) throw new Error(`CRD validation failed:\n  ${errors.join('\n  ')}`);
  return checked.length;
}
