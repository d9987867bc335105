import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { expectSchemaValid } from './schema';

/** Synthesizes a chart, validating every object against the Kubernetes schema. */
export function synth(chart: Construct): any[] {
  const manifests = Testing.synth(chart as any);
  expectSchemaValid(manifests);
  return manifests;
}

/** The one manifest of a kind (fails the test when there is not exactly one). */
export function only(manifests: any[], kind: string): any {
  const found = manifests.filter(m => m.kind === kind);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  }
  return found[0];
}

/** The error message synthesis fails with (fails the test when it succeeds). */
export function synthError(chart: Construct): string {
  try {
    Testing.synth(chart as any);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail, but it succeeded');
}

/** Pod spec of a Deployment/StatefulSet/DaemonSet/Job manifest. */
export function podSpec(manifest: any): any {
  return manifest.kind === 'CronJob' ? manifest.spec.jobTemplate.spec.template.spec : manifest.spec.template.spec;
}

export const IMAGE = 'registry.example.com/shop/web:1.4.2';
export const DIGEST_IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
export const REASON = 'vendor image writes its pid file under /run; tracked with the vendor';
