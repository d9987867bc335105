import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, isReplicatedWorkload, replicaCountOf } from './core/cross-object';
import { manifestsOf } from './core/manifest-index';

/** Deployments and StatefulSets run at least two replicas. */
export class Replicas extends Control {
  constructor() {
    super({
      id: 'replicas',
      title: 'Deployments and StatefulSets run at least two replicas',
      severity: Severity.WARNING,
      rationale: 'A single replica makes every node drain, eviction, rollout or crash an outage, and leaves no '
        + 'healthy pod to serve while a compromised or misbehaving one is being replaced.',
      remediation: 'Set spec.replicas to 2 or more (unset means 1); when a HorizontalPodAutoscaler targets the '
        + 'workload, set its spec.minReplicas to 2 or more instead.',
      references: {
        kubeScore: ['deployment-replicas'],
        polaris: ['deploymentMissingReplicas'],
        kubeLinter: ['minimum-three-replicas'],
        kyverno: ['deployment-has-multiple-replicas'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the workload's HorizontalPodAutoscaler, which may set the replica count." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isReplicatedWorkload(manifest);
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const replicas = replicaCountOf(manifest, manifestsOf(manifest, context));
    if (replicas.count !== undefined && replicas.count >= 2) return [];
    const subject = replicas.autoscaler
      ? `${describeObject(manifest)} is scaled by ${describeObject(replicas.autoscaler)} with ${replicas.source}`
      : `${describeObject(manifest)} has ${replicas.source}`;
    const violation: Violation = {
      pointer: '/spec/replicas',
      message: replicas.count === undefined ? `${subject}, not an integer` : `${subject}, fewer than 2`,
    };
    return [replicas.autoscaler
      ? { ...violation, fix: `Set spec.minReplicas of ${describeObject(replicas.autoscaler)} to 2 or more.` }
      : violation];
  }
}
