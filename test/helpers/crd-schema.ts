import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as yaml from 'js-yaml';

const CRD_DIR = path.join(__dirname, '..', 'schemas', 'crds');
const cache = new Map<string, ValidateFunction>();
/** OpenAPI formats Kubernetes uses that ajv does not know: accepted as the API server's own types do. */
const FORMATS = { 'int32': true, 'int64': true, 'date-time': true, 'byte': true } as const;

/**
 * Validates custom resources against the openAPIV3Schema of their upstream CRD (a copy under test/schemas/crds/, see
 * SOURCES.txt there), at the version each resource's apiVersion names; that version must be served.
 */
export function expectCrdValid(crdFile: string, manifests: any[]): void {
  const errors: string[] = [];
  for (const manifest of manifests) {
    const validate = validatorFor(crdFile, manifest.apiVersion, manifest.kind);
    if (!validate(manifest)) {
      errors.push(`${manifest.kind} ${manifest.metadata?.name}: ${JSON.stringify(validate.errors)}`);
    }
  }
  if (errors.length > 0) throw new Error(`CRD schema validation failed:\n  ${errors.join('\n  ')}`);
}

function validatorFor(crdFile: string, apiVersion: string, kind: string): ValidateFunction {
  const key = `${crdFile} ${apiVersion} ${kind}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const crd = yaml.load(fs.readFileSync(path.join(CRD_DIR, crdFile), 'utf-8')) as any;
  const [group, version] = String(apiVersion).split('/');
  if (crd.spec.group !== group || crd.spec.names.kind !== kind) {
    throw new Error(`${crdFile} defines ${crd.spec.group} ${crd.spec.names.kind}, not ${apiVersion} ${kind}`);
  }
  const served = crd.spec.versions.find((v: any) => v.name === version && v.served === true);
  if (!served) throw new Error(`${crdFile}: version ${version} is not served`);
  const validate = new Ajv({ strict: false, allErrors: true, formats: FORMATS }).compile(served.schema.openAPIV3Schema);
  cache.set(key, validate);
  return validate;
}
