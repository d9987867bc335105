import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { PodHardening } from './pod-hardening';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { checkObjectNames, NameRule } from '../defaults/kubernetes-validation';

/** Props of a HardenedDaemonSet: everything cdk8s-plus-27 accepts, plus the hardened options. */
export interface HardenedDaemonSetProps extends kplus.DaemonSetProps, HardenedWorkloadProps {
  /**
   * How many of the set's pods a rolling update may take down at once (`spec.updateStrategy.rollingUpdate`);
   * cdk8s-plus-27 has no update strategy for DaemonSets, so it is rendered here.
   * @default PercentOrAbsolute.absolute(HardenedDefaults.DAEMON_SET_MAX_UNAVAILABLE) (1): one node at a time loses
   * the agent during a rollout (availability; no catalog control)
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}

/**
 * A DaemonSet that is secure by default.
 *
 * Its pods get the same hardening as a HardenedDeployment's (numeric non-root uid/gid, read-only root filesystem,
 * no privilege escalation, every capability dropped, seccomp RuntimeDefault, no service-account token, resources
 * from a preset, derived probes), a dedicated ServiceAccount and a NetworkPolicy selecting exactly its pods. It
 * rolls out one node at a time. There is no PodDisruptionBudget or spreading: a DaemonSet runs one pod per node.
 *
 * Node agents often want host access (hostPath volumes, host namespaces): each of those fails synthesis unless an
 * exemption with a reason covers it, so scope exemptions to the agent and say exactly what it needs.
 */
export class HardenedDaemonSet extends kplus.DaemonSet {
  /** How many pods a rolling update may take down at once. */
  public readonly maxUnavailable: kplus.PercentOrAbsolute;
  /** The hardening applied to this set's pods (resolved uid, gid, preset). */
  private readonly hardening: PodHardening;

  constructor(scope: Construct, id: string, props: HardenedDaemonSetProps = {}) {
    super(scope, id, PodHardening.superProps(scope, id, props));
    checkObjectNames(this.node.path, 'DaemonSet', this.name, this.metadata.namespace, NameRule.DNS_SUBDOMAIN);
    this.maxUnavailable = props.maxUnavailable ?? kplus.PercentOrAbsolute.absolute(HardenedDefaults.DAEMON_SET_MAX_UNAVAILABLE);
    checkMaxUnavailable(this.node.path, this.maxUnavailable);
    this.hardening = new PodHardening(this, props, { longRunning: true });
    this.hardening.complete(props);
  }

  /** Adds a container with the hardened defaults filled in (explicit settings win and are guarded). */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addContainer(this.hardening.containerProps(cont, 'containers', this.containers.length));
  }

  /** Adds an init container with the hardened defaults filled in (explicit settings win and are guarded). */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addInitContainer(this.hardening.containerProps(cont, 'initContainers', this.initContainers.length));
  }

  /** @internal */
  public _toPodSpec(): kplus.k8s.PodSpec {
    return this.hardening.finalizePodSpec(super._toPodSpec());
  }

  /** @internal */
  public _toKube(): kplus.k8s.DaemonSetSpec {
    const value = this.maxUnavailable.value;
    return {
      ...super._toKube(),
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: {
          maxUnavailable: typeof value === 'number' ? kplus.k8s.IntOrString.fromNumber(value) : kplus.k8s.IntOrString.fromString(value),
        },
      },
    };
  }
}

function checkMaxUnavailable(path: string, value: kplus.PercentOrAbsolute): void {
  const v = value?.value;
  const valid = typeof v === 'number'
    ? Number.isInteger(v) && v >= 1
    : typeof v === 'string' && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) >= 1 && Number(v.slice(0, -1)) <= 100;
  if (!valid) {
    throw new Error(`[${path}] maxUnavailable: ${JSON.stringify(v)} would stall or skip the rollout; use PercentOrAbsolute.absolute(n) with n >= 1 or PercentOrAbsolute.percent(p) with 1 <= p <= 100`);
  }
}
