import { everyContainer, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, PodControl, PodView, pointer } from './core/pod-template';

/** Containers read Secrets from mounted files, not from environment variables. */
export class SecretEnv extends PodControl {
  constructor() {
    super({
      id: 'secret-env',
      title: 'Containers read Secrets from files, not environment variables',
      severity: Severity.WARNING,
      rationale: 'Environment variables leak: into crash dumps and error reports, child processes, `kubectl '
        + 'describe`-style debugging output and /proc/<pid>/environ; and they never see a rotated value. A mounted '
        + 'Secret is readable only through the file system and is updated in place.',
      remediation: 'Replace env[].valueFrom.secretKeyRef and envFrom[].secretRef with a `secret` (or projected) '
        + 'volume mounted read-only, and point the application at the file (for example a *_FILE variable).',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.4.1 (prefer using secrets as files over secrets as environment variables)',
        kubeLinter: ['read-secret-from-env-var'],
        kyverno: ['secrets-not-from-env-vars'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer('c.?env.orValue([]).all(e, !e.?valueFrom.?secretKeyRef.hasValue()) && c.?envFrom.orValue([]).all(s, !has(s.secretRef))',
          'containers must not read Secrets into environment variables (env[].valueFrom.secretKeyRef, envFrom[].secretRef)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const env = c.container.env;
      if (Array.isArray(env)) {
        env.forEach((variable: any, index: number) => {
          const ref = variable?.valueFrom?.secretKeyRef;
          if (ref === undefined || ref === null) return;
          violations.push({
            pointer: pointer(c.pointer, 'env', index, 'valueFrom', 'secretKeyRef'),
            message: `${c.label} env ${variable?.name ?? index} reads ${describe(ref)}`,
          });
        });
      }
      const envFrom = c.container.envFrom;
      if (Array.isArray(envFrom)) {
        envFrom.forEach((source: any, index: number) => {
          const ref = source?.secretRef;
          if (ref === undefined || ref === null) return;
          violations.push({
            pointer: pointer(c.pointer, 'envFrom', index, 'secretRef'),
            message: `${c.label} envFrom[${index}] loads every key of ${describe(ref)}`,
          });
        });
      }
    }
    return violations;
  }
}

function describe(ref: any): string {
  const name = isObject(ref) && typeof ref.name === 'string' ? `Secret '${ref.name}'` : 'a Secret';
  return isObject(ref) && typeof ref.key === 'string' ? `key '${ref.key}' of ${name}` : name;
}
