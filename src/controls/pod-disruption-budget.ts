import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, effectiveNamespace, isReplicatedWorkload, labelsText, replicaCountOf, replicaCountText } from './core/cross-object';
import { manifestsOf, podLabelsOf, selecting } from './core/manifest-index';
import { podOf, pointer } from './core/pod-template';

/** `n` or `n%` as the disruption controller reads it; undefined when malformed. */
function parseIntOrPercent(value: any): { value: number; percent: boolean } | undefined {
  if (Number.isInteger(value) && value >= 0) return { value, percent: false };
  if (typeof value === 'string') {
    const match = /^([0-9]+)%$/.exec(value.trim());
    if (match) return { value: Number(match[1]), percent: true };
  }
  return undefined;
}

/** Why a PDB blocks every voluntary disruption of `replicas` pods, or undefined when it allows one. */
function blocksDisruption(pdb: any, replicas: number): string | undefined {
  const spec = pdb?.spec ?? {};
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  if (hasMax && hasMin) return 'sets both minAvailable and maxUnavailable (the API rejects that)';
  if (hasMax) {
    const max = parseIntOrPercent(spec.maxUnavailable);
    if (!max) return `has maxUnavailable ${JSON.stringify(spec.maxUnavailable)}, not a count or percentage`;
    // Percentages are rounded up, so any non-zero one allows at least one pod.
    return max.value > 0 ? undefined : `has maxUnavailable ${JSON.stringify(spec.maxUnavailable)}`;
  }
  if (hasMin) {
    const min = parseIntOrPercent(spec.minAvailable);
    if (!min) return `has minAvailable ${JSON.stringify(spec.minAvailable)}, not a count or percentage`;
    const required = min.percent ? Math.ceil((replicas * min.value) / 100) : min.value;
    return required < replicas ? undefined : `has minAvailable ${JSON.stringify(spec.minAvailable)}, no fewer than the ${replicas} replicas`;
  }
  return 'sets neither minAvailable nor maxUnavailable';
}

/** Every Deployment/StatefulSet with two or more replicas has exactly one PodDisruptionBudget that allows a disruption. */
export class PodDisruptionBudget extends Control {
  constructor() {
    super({
      id: 'pod-disruption-budget',
      title: 'Replicated workloads have a PodDisruptionBudget that allows a disruption',
      severity: Severity.WARNING,
      rationale: 'Without a PodDisruptionBudget a node drain or cluster upgrade may evict every replica at once; a '
        + 'budget that allows no disruption (maxUnavailable 0, minAvailable equal to the replicas) blocks drains and '
        + 'upgrades forever, and two budgets covering one pod make the eviction API refuse to evict it.',
      remediation: 'Add one PodDisruptionBudget (policy/v1) in the workload\'s namespace whose spec.selector matches '
        + 'the pod template labels, with maxUnavailable 1 (or a percentage above 0%) or minAvailable below the '
        + 'replica count; hardened workloads also set unhealthyPodEvictionPolicy: AlwaysAllow.',
      references: {
        kubeScore: ['deployment-has-poddisruptionbudget', 'statefulset-has-poddisruptionbudget'],
        polaris: ['missingPodDisruptionBudget', 'pdbDisruptionsIsZero'],
        kubeLinter: ['pdb-max-unavailable', 'pdb-min-available'],
        kyverno: ['require-pdb', 'pdb-minavailable-check'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the workload's PodDisruptionBudget, another object." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isReplicatedWorkload(manifest) && podOf(manifest) !== undefined;
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    const pod = podOf(manifest);
    const labels = podLabelsOf(manifest);
    if (!this.appliesTo(manifest, context) || !pod || !labels) return [];
    const objects = manifestsOf(manifest, context);
    const replicas = replicaCountOf(manifest, objects);
    // Fewer than two replicas is the replicas control's finding; a budget cannot help one pod.
    if (replicas.count === undefined || replicas.count < 2) return [];
    const namespace = effectiveNamespace(manifest);
    const budgets = selecting(objects, 'PodDisruptionBudget', 'policy', namespace, 'selector', labels);
    const at = pointer(pod.metadataPointer, 'labels');
    const subject = `${describeObject(manifest)} (${replicaCountText(replicas)}, pod labels ${labelsText(labels)})`;
    if (budgets.length === 0) {
      return [{
        pointer: at,
        message: `${subject} is selected by no PodDisruptionBudget in namespace '${namespace}'`,
        fix: `Add a PodDisruptionBudget in namespace '${namespace}' with selector matching ${labelsText(labels)} and maxUnavailable: 1.`,
      }];
    }
    if (budgets.length > 1) {
      return [{
        pointer: at,
        message: `${subject} is selected by ${budgets.length} PodDisruptionBudgets (${budgets.map(describeObject).join(', ')}): `
          + 'the eviction API refuses to evict a pod covered by more than one',
        fix: 'Keep a single PodDisruptionBudget selecting these pods.',
      }];
    }
    const reason = blocksDisruption(budgets[0], replicas.count);
    if (!reason) return [];
    return [{
      pointer: at,
      message: `${subject} is selected by ${describeObject(budgets[0])}, which ${reason}: it allows no voluntary disruption`,
      fix: `Set maxUnavailable: 1 (or minAvailable below ${replicas.count}) on ${describeObject(budgets[0])}.`,
    }];
  }
}
