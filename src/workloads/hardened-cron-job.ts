import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { PodHardening } from './pod-hardening';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { checkObjectNames, NameRule } from '../defaults/kubernetes-validation';

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
      ...checkCronJobProps(scope, id, props),
      startingDeadline: props.startingDeadline ?? Duration.seconds(HardenedDefaults.CRON_JOB_STARTING_DEADLINE_SECONDS),
    }, false));
    // The controller names each run `<name>-<11 characters>`, which must still be a valid Job name.
    checkObjectNames(this.node.path, 'CronJob', this.name, this.metadata.namespace, NameRule.DNS_SUBDOMAIN, 52);
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

/** The fields of a standard cron schedule, as Kubernetes parses it (robfig/cron `ParseStandard`). */
const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const CRON_DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Refuses, naming the construct and the field, what cdk8s-plus-27 would refuse without saying where (or with a raw
 * TypeError) and what the API server would reject: no props or schedule, a schedule that is not a standard cron
 * expression, a starting deadline under 10 seconds or not in whole seconds, negative history limits, and a TTL
 * together with history limits.
 */
function checkCronJobProps(scope: Construct, id: string, props: HardenedCronJobProps): HardenedCronJobProps {
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  if (props === undefined || props === null || typeof props !== 'object') {
    throw new Error(`[${path}] props: ${JSON.stringify(props)} has no schedule; pass { schedule: Cron.schedule({ minute: '30', hour: '2' }), containers: [...] }`);
  }
  const schedule = (props.schedule as { expressionString?: unknown } | undefined)?.expressionString;
  if (typeof schedule !== 'string') {
    throw new Error(`[${path}] schedule: ${props.schedule === undefined ? 'missing' : JSON.stringify(props.schedule)} is not a schedule; `
      + 'give one, e.g. Cron.daily() or Cron.schedule({ minute: \'30\', hour: \'2\' })');
  }
  const problem = cronProblem(schedule);
  if (problem) {
    throw new Error(`[${path}] schedule: '${schedule}' is not a cron schedule Kubernetes accepts (${problem}); use five fields `
      + '\'minute hour day-of-month month day-of-week\', e.g. Cron.daily() or Cron.schedule({ minute: \'30\', hour: \'2\' })');
  }
  if (props.startingDeadline !== undefined && !(props.startingDeadline instanceof Duration)) {
    throw new Error(`[${path}] startingDeadline: ${JSON.stringify(props.startingDeadline)} is not a Duration; use e.g. Duration.minutes(5)`);
  }
  const deadline = props.startingDeadline?.toSeconds({ integral: false });
  if (deadline !== undefined && (!Number.isInteger(deadline) || deadline < 10)) {
    throw new Error(`[${path}] startingDeadline: ${deadline} seconds is not a whole number of seconds from 10 (the CronJob controller `
      + `checks schedules every 10 seconds); use e.g. Duration.minutes(5), or leave it out (${HardenedDefaults.CRON_JOB_STARTING_DEADLINE_SECONDS} seconds)`);
  }
  for (const field of ['successfulJobsRetained', 'failedJobsRetained'] as const) {
    const value = props[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a number of finished runs to keep; use an integer from 0`);
    }
  }
  if (props.ttlAfterFinished !== undefined && (props.successfulJobsRetained !== undefined || props.failedJobsRetained !== undefined)) {
    const given = (['successfulJobsRetained', 'failedJobsRetained'] as const).filter(f => props[f] !== undefined).join(' and ');
    throw new Error(`[${path}] ttlAfterFinished: conflicts with ${given}: the TTL would delete the runs the history limits keep; `
      + 'set either ttlAfterFinished or the history limits, not both');
  }
  return props;
}

/** Why a schedule is not a standard cron expression (robfig/cron ParseStandard, as the API server uses), or undefined. */
function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) return 'a time zone in the schedule is refused; use the timeZone prop';
  if (trimmed.startsWith('@')) {
    if (CRON_DESCRIPTORS.has(trimmed)) return undefined;
    const every = /^@every\s+(\S+)$/.exec(trimmed);
    if (every && /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(every[1])) return undefined;
    return `unknown descriptor '${trimmed}'`;
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) return `${fields.length} fields instead of 5`;
  for (let i = 0; i < 5; i++) {
    const { name, min, max, names } = CRON_FIELDS[i];
    for (const part of fields[i].split(',')) {
      const match = /^([^/]+)(?:\/(.+))?$/.exec(part);
      if (!match) return `${name} '${fields[i]}' is malformed`;
      const [, range, step] = match;
      if (step !== undefined && !/^[0-9]+$/.test(step)) return `${name} step '${step}' is not a number`;
      if (step !== undefined && Number(step) === 0) return `${name} step 0 never fires`;
      if (range === '*' || range === '?') continue;
      const bounds = range.split('-');
      if (bounds.length > 2) return `${name} '${part}' is malformed`;
      const values: number[] = [];
      for (const bound of bounds) {
        const index = names?.indexOf(bound.toLowerCase()) ?? -1;
        const value = index >= 0 ? index + (name === 'month' ? 1 : 0) : /^[0-9]+$/.test(bound) ? Number(bound) : NaN;
        if (isNaN(value)) return `${name} '${bound}' is not a number${names ? ' or a name' : ''}`;
        if (value < min || value > max) return `${name} ${bound} is outside ${min}-${max}`;
        values.push(value);
      }
      if (values.length === 2 && values[0] > values[1]) return `${name} range '${range}' ends before it starts`;
    }
  }
  return undefined;
}
