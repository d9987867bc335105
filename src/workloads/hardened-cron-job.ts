import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { PodHardening } from './pod-hardening';
import { HardenedDefaults } from '../defaults/hardened-defaults';

/**
 * Props of a HardenedCronJob: everything cdk8s-plus-27 accepts, plus the hardened options.
 *
 * Defaults that differ from cdk8s-plus-27's (see HardenedCronJob): `startingDeadline`
 * HardenedDefaults.CRON_JOB_STARTING_DEADLINE_SECONDS, `backoffLimit` HardenedDefaults.JOB_BACKOFF_LIMIT,
 * `activeDeadline` HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS; `restartPolicy` is Never or OnFailure.
 */
export interface HardenedCronJobProps extends kplus.CronJobProps, HardenedWorkloadProps {}

/**
 * A CronJob that is secure by default.
 *
 * Each run's pods get the same hardening as a HardenedDeployment's (numeric non-root uid/gid, read-only root
 * filesystem, no privilege escalation, every capability dropped, seccomp RuntimeDefault, no service-account token,
 * resources from a preset), a dedicated ServiceAccount and a NetworkPolicy selecting exactly its pods. Runs go to
 * completion: no derived probes, and restartPolicy Never (`OnFailure` may be set; `Always` is refused).
 *
 * Schedule and job defaults (no catalog control: they keep runs from piling up or hanging), each overridable by
 * its cdk8s-plus prop:
 * - `concurrencyPolicy`: Forbid (cdk8s-plus-27's default, kept): a run never starts while the last one runs;
 * - `startingDeadline`: HardenedDefaults.CRON_JOB_STARTING_DEADLINE_SECONDS (5 minutes; cdk8s-plus-27 uses 10
 *   seconds, which skips runs whenever the controller is briefly busy);
 * - `successfulJobsRetained` 3 and `failedJobsRetained` 1 (cdk8s-plus-27's defaults, kept);
 * - the job template's `backoffLimit` HardenedDefaults.JOB_BACKOFF_LIMIT (3) and `activeDeadline`
 *   HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS (10 minutes), as for HardenedJob;
 * - no `ttlAfterFinished` (unlike HardenedJob): the history limits already bound what is kept, a TTL would
 *   delete the last failed run before anyone inspects it, and cdk8s-plus-27 refuses a TTL together with
 *   explicit history limits.
 *
 * Every object below it is guarded at synthesis: weakening a default, through props or an escape hatch, fails
 * synthesis unless an exemption with a reason covers it.
 */
export class HardenedCronJob extends kplus.CronJob {
  /** The hardening applied to this cron job's pods (resolved uid, gid, preset). */
  private readonly hardening: PodHardening;

  constructor(scope: Construct, id: string, props: HardenedCronJobProps) {
    super(scope, id, PodHardening.jobSuperProps(scope, id, {
      ...props,
      startingDeadline: props.startingDeadline ?? Duration.seconds(HardenedDefaults.CRON_JOB_STARTING_DEADLINE_SECONDS),
    }, false));
    this.hardening = new PodHardening(this, props, { longRunning: false });
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
}
