import * as fs from 'fs';
import * as path from 'path';
import { crdValidatorOf } from './crd-schema';
import { loadYamlFile } from './fixtures';

/**
 * Validates synthesized manifests against the Kubernetes OpenAPI schema (kubernetes-models, Kubernetes 1.27).
 * The OpenAPI schema checks types, enums and required fields; it does not reject unknown fields.
 */
export function expectSchemaValid(manifests: any[]): void {
  const errors: string[] = [];
  for (const manifest of manifests) {
    try {
      modelOf(manifest).validate();
    } catch (e) {
      errors.push(`${manifest?.kind} ${manifest?.metadata?.name}: ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Schema validation failed:\n  ${errors.join('\n  ')}`);
  }
}

function modelOf(manifest: any): { validate(): void } {
  const crd = crdValidatorOf(manifest);
  if (crd) return crd;
  const apiVersion: string = manifest?.apiVersion ?? '';
  const kind: string = manifest?.kind ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  let model: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    model = require(modulePath)[kind];
  } catch {
    throw new Error(`no schema for ${apiVersion} ${kind}`);
  }
  return new model(manifest);
}

/** Validates every object of every `*.k8s.yaml` file an `App.synth()` wrote to `outdir`; returns how many. */
export function expectOutdirSchemaValid(outdir: string): number {
  const manifests = fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).sort()
    .flatMap(f => loadYamlFile(path.join(outdir, f)));
  expectSchemaValid(manifests);
  return manifests.length;
}
