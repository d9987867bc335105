import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/program';

// `check --require-digests`: the image policy's digest rule over YAML no cdk8s app produced.

function checkJson(args: string[], file: string): { code: number; errors: number; warnings: number; digest: any } {
  let stdout = '';
  const code = runCli(['node', 'cdk8s-hardened', 'check', '--format', 'json', ...args, file], { stdout: t => { stdout += t; }, stderr: () => undefined });
  const report = JSON.parse(stdout);
  return { code, errors: report.summary.errors, warnings: report.summary.warnings, digest: report.objects[0].controls['image-digest'] };
}

test('an image without digest is a warning, and an error with --require-digests (counted, exit 1, shown on the finding)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digests-'));
  try {
    const file = path.join(dir, 'pod.yaml');
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: web, namespace: shop}', 'spec:',
      '  containers: [{name: web, image: "registry.example.com/shop/web:1.4.2"}]', '',
    ].join('\n'));
    const relaxed = checkJson([], file);
    expect([relaxed.digest.status, relaxed.digest.findings.map((f: any) => [f.pointer, f.severity])])
      .toEqual(['fail', [['/spec/containers/0/image', undefined]]]);
    const strict = checkJson(['--require-digests'], file);
    expect([strict.code, strict.digest.status, strict.digest.findings.map((f: any) => [f.pointer, f.severity])])
      .toEqual([1, 'fail', [['/spec/containers/0/image', 'error']]]);
    expect(strict.errors - relaxed.errors).toBe(1);
    expect(relaxed.warnings - strict.warnings).toBe(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
