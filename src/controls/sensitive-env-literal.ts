import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';
import { sensitiveLiteral } from './core/sensitive-env';

/** No environment variable holds a secret as a literal value. */
export class SensitiveEnvLiteral extends PodControl {
  constructor() {
    super({
      id: 'sensitive-env-literal',
      title: 'No secret-looking environment variable has a literal value',
      severity: Severity.ERROR,
      rationale: 'A literal env value is part of the pod template: it is stored unencrypted in the workload object, '
        + 'readable by anyone who can get the Deployment, and committed with the manifests.',
      remediation: 'Move the value into a Secret created out of band and mount it as a file (or, failing that, '
        + 'reference it with valueFrom.secretKeyRef). Names are judged by words: PASSWORD, PASSWD, PASSPHRASE, '
        + 'SECRET, TOKEN, CREDENTIAL(S), CREDS, AUTH, AUTHORIZATION, BEARER, <API|PRIVATE|ACCESS|SIGNING|...>_KEY, '
        + 'and a trailing PASS or PWD, unless the name ends with a descriptive word (_FILE, _PATH, _NAME, _URL, '
        + '_ENABLED, _TTL, _SECONDS, _LENGTH...) or names a quantity (MAX_, MIN_, NUM_); booleans, absolute file '
        + 'paths and pure $(VAR) references are not literals. Values holding a private key, a URL with a password, '
        + 'a Bearer/Basic credential or a JWT are reported whatever the name. Exempt a false positive with a reason.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Secrets"',
        polaris: ['sensitiveContainerEnvVar'],
        kubeLinter: ['env-var-secret'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: 'A heuristic over variable names and values (word splitting, camelCase) that CEL cannot mirror exactly; it stays a synth- and CLI-time review.' };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const env = c.container.env;
      if (!Array.isArray(env)) continue;
      env.forEach((variable: any, index: number) => {
        const why = sensitiveLiteral(variable?.name, variable?.value);
        if (!why) return;
        violations.push({
          // The message names the variable, never its value.
          pointer: pointer(c.pointer, 'env', index, 'value'),
          message: `${c.label} env ${typeof variable?.name === 'string' ? variable.name : index} has ${why}`,
        });
      });
    }
    return violations;
  }
}
