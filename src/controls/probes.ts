import { celStrings, everyContainer, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { canonicalJson } from './core/json';
import { isObject, podOf, PodControl, PodView, pointer } from './core/pod-template';

/** Kinds whose pods run to completion: probes there would restart or gate a finishing task. */
const RUN_TO_COMPLETION_KINDS = ['Job', 'CronJob'];

/** JSON with object keys sorted, so that deep-equal values serialize identically. */
/** Long-running containers declare distinct readiness and liveness probes. */
export class Probes extends PodControl {
  constructor() {
    super({
      id: 'probes',
      title: 'Long-running containers have distinct readiness and liveness probes',
      severity: Severity.WARNING,
      rationale: 'Without a readiness probe a Service sends traffic to a pod before it can serve (and during a bad '
        + 'rollout); without a liveness probe a hung process is never restarted. An identical pair restarts pods that '
        + 'are merely busy or waiting on a dependency, turning an overload into a restart storm.',
      remediation: 'Give each regular container of a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController '
        + 'or restartPolicy Always Pod a readinessProbe and a livenessProbe that differ: readiness checks that the app can '
        + 'serve now, liveness only that the process is not stuck (a different endpoint, or a longer period and threshold).',
      references: {
        kubeScore: ['pod-probes', 'pod-probes-identical'],
        polaris: ['readinessProbeMissing', 'livenessProbeMissing'],
        kubeLinter: ['no-readiness-probe', 'no-liveness-probe'],
        kyverno: ['require-pod-probes'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    // Init containers run to completion and ephemeral containers cannot have probes; run-to-completion pods need none.
    const check = everyContainer('has(c.readinessProbe) && has(c.livenessProbe) && c.readinessProbe != c.livenessProbe',
      'containers must have a readinessProbe and a different livenessProbe', 'variables.podSpec.?containers.orValue([])');
    const runsToCompletion = `object.kind in ${celStrings(RUN_TO_COMPLETION_KINDS)} || variables.podSpec.?restartPolicy.orValue('Always') in ['Never', 'OnFailure']`;
    return { rule: podRule([{ ...check, expression: `${runsToCompletion} || ${check.expression}` }]) };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    const pod = podOf(manifest);
    if (!pod || RUN_TO_COMPLETION_KINDS.includes(manifest.kind)) {
      return false;
    }
    // Controllers require restartPolicy Always; a bare Pod (or PodTemplate) may run to completion.
    const restartPolicy = pod.spec.restartPolicy;
    return restartPolicy !== 'Never' && restartPolicy !== 'OnFailure';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    return this.appliesTo(manifest, context) ? super.check(manifest, context) : [];
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    // Init containers run to completion and ephemeral containers cannot have probes.
    for (const c of pod.containers.filter(view => view.list === 'containers')) {
      const readiness = c.container.readinessProbe;
      const liveness = c.container.livenessProbe;
      for (const [field, probe] of [['readinessProbe', readiness], ['livenessProbe', liveness]]) {
        if (!isObject(probe)) {
          violations.push({
            pointer: pointer(c.pointer, field),
            message: `${c.label} has ${field} ${JSON.stringify(probe) ?? 'unset'}`,
          });
        }
      }
      if (isObject(readiness) && isObject(liveness) && canonicalJson(readiness) === canonicalJson(liveness)) {
        violations.push({
          pointer: pointer(c.pointer, 'livenessProbe'),
          message: `${c.label} has a livenessProbe identical to its readinessProbe`,
          fix: 'Make the livenessProbe check only that the process is alive (another endpoint, or a longer period '
            + 'and failureThreshold than the readinessProbe).',
        });
      }
    }
    return violations;
  }
}
