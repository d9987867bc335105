import { ApiObject, Cron, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, HardenedCronJob, HardenedDefaults } from '../../src';
import { DIGEST_IMAGE, expectHardenedPod, expectIsolatedPods, only, podSpec, REASON, synth, synthError } from '../helpers/synth';

function minimal(props: Partial<ConstructorParameters<typeof HardenedCronJob>[2]> = {}) {
  const chart = Testing.chart();
  const cronJob = new HardenedCronJob(chart, 'backup', {
    metadata: { namespace: 'shop' },
    schedule: Cron.daily(),
    containers: [{ image: DIGEST_IMAGE, command: ['/app/backup'] }],
    ...props,
  });
  return { chart, cronJob };
}

describe('with only a schedule and an image', () => {
  const { chart } = minimal();
  const manifests = synth(chart);
  const cronJob = only(manifests, 'CronJob');
  const pod = podSpec(cronJob);

  test('the guard has no finding at all, errors or warnings', () => {
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('pod and container security contexts, token, ServiceAccount, resources and /tmp are hardened', () => {
    expectHardenedPod(pod, manifests);
  });

  test('runs never overlap, may start 5 minutes late, and the last 3 successful and last failed runs are kept', () => {
    expect(cronJob.spec).toMatchObject({
      schedule: '0 0 * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: HardenedDefaults.CRON_JOB_STARTING_DEADLINE_SECONDS,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      suspend: false,
    });
    expect(cronJob.spec.startingDeadlineSeconds).toBe(300);
  });

  test('each run gets the Job defaults except the TTL, which the history limits replace', () => {
    const jobSpec = cronJob.spec.jobTemplate.spec;
    expect(jobSpec).toMatchObject({
      backoffLimit: HardenedDefaults.JOB_BACKOFF_LIMIT,
      activeDeadlineSeconds: HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS,
    });
    expect(jobSpec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 600 });
    expect(jobSpec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test('runs to completion: restartPolicy Never and no derived probes', () => {
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].readinessProbe).toBeUndefined();
    expect(pod.containers[0].livenessProbe).toBeUndefined();
  });

  test('the NetworkPolicy selects exactly the runs\' pods by their address label, never the whole namespace', () => {
    const labels = cronJob.spec.jobTemplate.spec.template.metadata.labels;
    expectIsolatedPods(manifests, labels);
    expect(only(manifests, 'NetworkPolicy').spec.podSelector.matchLabels).toEqual({ 'cdk8s.io/metadata.addr': labels['cdk8s.io/metadata.addr'] });
  });

  test('no PodDisruptionBudget and no spreading', () => {
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(pod.topologySpreadConstraints).toBeUndefined();
  });

  test('recommended labels on the cron job and its pods', () => {
    for (const labels of [cronJob.metadata.labels, cronJob.spec.jobTemplate.spec.template.metadata.labels]) {
      expect(labels).toMatchObject({
        'app.kubernetes.io/name': 'test-backup',
        'app.kubernetes.io/instance': cronJob.metadata.name,
        'app.kubernetes.io/managed-by': 'cdk8s-hardened',
      });
    }
  });
});

describe('documented defaults and their options', () => {
  test('concurrency, deadlines, retries and history can be set', () => {
    const { chart } = minimal({
      concurrencyPolicy: kplus.ConcurrencyPolicy.REPLACE,
      startingDeadline: Duration.minutes(1),
      backoffLimit: 1,
      activeDeadline: Duration.hours(1),
      successfulJobsRetained: 5,
      failedJobsRetained: 2,
      restartPolicy: kplus.RestartPolicy.ON_FAILURE,
    });
    const cronJob = only(synth(chart), 'CronJob');
    expect(cronJob.spec).toMatchObject({ concurrencyPolicy: 'Replace', startingDeadlineSeconds: 60, successfulJobsHistoryLimit: 5, failedJobsHistoryLimit: 2 });
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 3600 });
    expect(podSpec(cronJob).restartPolicy).toBe('OnFailure');
  });

  test('a TTL can be set instead of the history limits', () => {
    const { chart } = minimal({ ttlAfterFinished: Duration.days(1) });
    expect(only(synth(chart), 'CronJob').spec.jobTemplate.spec.ttlSecondsAfterFinished).toBe(86400);
  });

  test('containers added later get the same hardening', () => {
    const { chart, cronJob } = minimal();
    cronJob.addContainer({ name: 'upload', image: DIGEST_IMAGE });
    const manifests = synth(chart);
    expectHardenedPod(podSpec(only(manifests, 'CronJob')), manifests);
    expect(Guard.findings(chart)).toEqual([]);
  });
});

describe('weakening a default needs an exemption', () => {
  const writable = { image: DIGEST_IMAGE, securityContext: { readOnlyRootFilesystem: false } };

  test('through props: synthesis fails with the job template pointer', () => {
    const { chart, cronJob } = minimal({ containers: [writable] });
    expect(synthError(chart)).toContain(`[test/backup/Resource] read-only-root-filesystem: CronJob shop/${cronJob.name} `
      + '/spec/jobTemplate/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem');
  });

  test('through props with an exemption: synthesizes and records it', () => {
    const { chart } = minimal({ containers: [writable], exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON }] });
    const cronJob = only(synth(chart), 'CronJob');
    expect(cronJob.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/read-only-root-filesystem']);
    expect(Guard.findings(chart).map(f => [f.controlId, f.status])).toEqual([['read-only-root-filesystem', FindingStatus.EXEMPT]]);
  });

  test('through a JSON-patch escape hatch: fails without an exemption, passes with one', () => {
    const patch = JsonPatch.replace('/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged', true);
    const bare = minimal();
    ApiObject.of(bare.cronJob).addJsonPatch(patch);
    expect(synthError(bare.chart)).toContain('privileged: CronJob shop/');

    const exempted = minimal({ exemptions: [{ control: Controls.PRIVILEGED, reason: REASON }] });
    ApiObject.of(exempted.cronJob).addJsonPatch(patch);
    expect(podSpec(only(synth(exempted.chart), 'CronJob')).containers[0].securityContext.privileged).toBe(true);
  });
});

describe('bad input fails at construction', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['restartPolicy Always', () => minimal({ restartPolicy: kplus.RestartPolicy.ALWAYS }), /\[test\/backup\] restartPolicy: 'Always' is not allowed for a CronJob/],
    ['starting deadline under 10 seconds', () => minimal({ startingDeadline: Duration.seconds(5) }), /\[test\/backup\] startingDeadline: 5 seconds is not a whole number of seconds from 10/],
    ['TTL with history limits', () => minimal({ ttlAfterFinished: Duration.hours(1), failedJobsRetained: 2 }), /\[test\/backup\] ttlAfterFinished: conflicts with failedJobsRetained/],
    ['negative backoffLimit', () => minimal({ backoffLimit: -2 }), /\[test\/backup\] backoffLimit: -2 is not a retry count/],
  ];
  test.each(cases)('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
