import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { loadYamlFile } from './fixtures';

/*
 * Custom resources validated against the upstream CustomResourceDefinitions copied to test/schemas/crds/ (see SOURCES.txt):
 * the served version's openAPIV3Schema (types, enums, required fields). Not evaluated: the CRDs' CEL rules
 * (x-kubernetes-validations) and formats (date-time, only under status).
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
