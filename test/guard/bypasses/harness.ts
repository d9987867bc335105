import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { runCli } from '../../../src/cli/program';
import { Guard } from '../../../src/guard/guard';

/**
 * The bypass catalogue's harness. Each attempt is one way a weakening could reach the YAML unseen; it is tried
 * against the synth-time guard (an app synthesized to a temporary folder, the written YAML read back) and against
 * `cdk8s-hardened check` (the attempt's YAML in a temporary folder), and both must refuse it.
 */
export interface Attempt {
  /** What the attacker does, in a few words. */
  readonly name: string;
  /** Raw objects: added as ApiObjects to a chart under `Guard.protect(app)`, and given to the CLI as YAML. */
  readonly objects?: any[];
  /** Builds the attack with the public API instead (or besides `objects`), in a chart of an app. */
  readonly guard?: (chart: Chart, app: App) => void;
  /** Protect the whole app (default) or rely on hardened constructs guarding themselves. */
  readonly protect?: boolean;
  /** YAML for the CLI instead of `objects` (text kubectl would read). */
  readonly yaml?: string;
  /** What the guard's error (and the CLI's output) must contain. */
  readonly expect: RegExp;
  /** What the CLI's output must contain, when it differs from `expect`. */
  readonly expectCli?: RegExp;
  /** The CLI's exit code: 1 for findings (default), 2 for refused input. */
  readonly exit?: number;
  /** Extra CLI arguments, e.g. `['--profile', 'restricted']`. */
  readonly args?: string[];
  /** Skip one layer, with the reason (e.g. a construct-only attack has no YAML). */
  readonly only?: 'guard' | 'cli';
}

/** Every document of every manifest file under `dir`. */
export function writtenDocuments(dir: string): any[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' }).sort()
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f => jsYaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf-8')).filter(d => d));
}

/** Synthesizes the attempt to a temporary folder; returns the error, and what was written. */
export function synthAttempt(attempt: Attempt): { error?: string; written: any[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bypass-'));
  const app = new App({ outdir });
  if (attempt.protect ?? true) Guard.protect(app, { printSummary: false });
  const chart = new Chart(app, 'attack');
  let error: string | undefined;
  try {
    // A refusal while the attack is built (an exemption refused by Exemptions.add) counts: nothing can be written.
    (attempt.objects ?? []).forEach((o, i) => new ApiObject(chart, `object${i}`, o));
    attempt.guard?.(chart, app);
    app.synth();
  } catch (e) {
    error = (e as Error).message;
  }
  return { error, written: writtenDocuments(outdir) };
}

/** Runs `cdk8s-hardened check` in-process on the attempt's YAML; returns the exit code and all output. */
export function checkAttempt(attempt: Attempt): { code: number; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bypass-cli-'));
  const text = attempt.yaml ?? (attempt.objects ?? []).map(o => jsYaml.dump(o, { noRefs: true })).join('---\n');
  const file = path.join(dir, 'attack.yaml');
  fs.writeFileSync(file, text);
  let output = '';
  const code = runCli(['node', 'cdk8s-hardened', 'check', ...(attempt.args ?? []), file],
    { stdout: t => { output += t; }, stderr: t => { output += t; } });
  return { code, output };
}

/** One describe block per class of the issue: each attempt is refused by the guard and by the CLI. */
export function catalogue(title: string, attempts: Attempt[]): void {
  describe(title, () => {
    for (const attempt of attempts) {
      if (attempt.only !== 'cli') {
        test(`guard refuses: ${attempt.name}`, () => {
          const { error, written } = synthAttempt(attempt);
          if (error === undefined) {
            throw new Error(`synthesis passed; it wrote:\n${jsYaml.dump(written)}`);
          }
          expect(error).toMatch(attempt.expect);
          // Nothing of a refused synthesis may be left for `kubectl apply -f`.
          expect(written).toEqual([]);
        });
      }
      if (attempt.only !== 'guard') {
        test(`check refuses: ${attempt.name}`, () => {
          const { code, output } = checkAttempt(attempt);
          expect({ code, output }).toEqual({ code: attempt.exit ?? 1, output: expect.stringMatching(attempt.expectCli ?? attempt.expect) });
        });
      }
    }
  });
}

/** A pod spec that passes every pod control (digest-pinned image, hardened contexts, sized resources). */
export function compliantPodSpec(): any {
  return {
    automountServiceAccountToken: false,
    serviceAccountName: 'web',
    securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'web',
      image: 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        capabilities: { drop: ['ALL'] },
      },
      resources: {
        requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
        limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      },
    }],
  };
}

/** The compliant pod spec with its first container privileged. */
export function privilegedPodSpec(): any {
  const spec = compliantPodSpec();
  spec.containers[0].securityContext.privileged = true;
  return spec;
}

/** A bare privileged Pod. */
export function privilegedPod(name = 'evil'): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: privilegedPodSpec() };
}

/** A NetworkPolicy denying all traffic of every pod of `namespace`, so a pod there passes workload-network-policy. */
export function defaultDeny(namespace = 'shop'): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}
