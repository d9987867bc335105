import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, FindingStatus, Guard, HardenedDefaults, HardenedJob } from '../../src';
import { DIGEST_IMAGE, expectHardenedPod, expectIsolatedPods, only, podSpec, REASON, synth, synthError } from '../helpers/synth';

function minimal(props: Partial<ConstructorParameters<typeof HardenedJob>[2]> = {}) {
  const chart = Testing.chart();
  const job = new HardenedJob(chart, 'migrate', {
    metadata: { namespace: 'shop' },
    containers: [{ image: DIGEST_IMAGE, command: ['/app/migrate'] }],
    ...props,
  });
  return { chart, job };
}

describe('with only an image', () => {
  const { chart, job } = minimal();
  const manifests = synth(chart);
  const jobManifest = only(manifests, 'Job');
  const pod = podSpec(jobManifest);

  test('the guard has no finding at all, errors or warnings', () => {
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('pod and container security contexts, token, ServiceAccount, resources and /tmp are hardened', () => {
    expectHardenedPod(pod, manifests);
  });

  test('runs to completion: restartPolicy Never and no derived probes, even with a port', () => {
    expect(pod.restartPolicy).toBe('Never');
    const withPort = minimal({ containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    const [container] = podSpec(only(synth(withPort.chart), 'Job')).containers;
    expect(container.readinessProbe).toBeUndefined();
    expect(container.livenessProbe).toBeUndefined();
    expect(Guard.findings(withPort.chart)).toEqual([]);
  });

  test('retries, deadline and clean-up come from HardenedDefaults', () => {
    expect(jobManifest.spec).toMatchObject({
      backoffLimit: HardenedDefaults.JOB_BACKOFF_LIMIT,
      activeDeadlineSeconds: HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: HardenedDefaults.JOB_TTL_SECONDS_AFTER_FINISHED,
    });
    expect(jobManifest.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600 });
    expect(job.backoffLimit).toBe(3);
    expect(job.activeDeadline?.toSeconds()).toBe(600);
    expect(job.ttlAfterFinished?.toSeconds()).toBe(3600);
  });

  test('the NetworkPolicy selects exactly the job\'s pods by their address label, never the whole namespace', () => {
    expect(jobManifest.spec.selector).toBeUndefined();
    expectIsolatedPods(manifests, jobManifest.spec.template.metadata.labels);
    expect(only(manifests, 'NetworkPolicy').spec.podSelector.matchLabels).toEqual({
      'cdk8s.io/metadata.addr': jobManifest.spec.template.metadata.labels['cdk8s.io/metadata.addr'],
    });
  });

  test('no PodDisruptionBudget and no spreading', () => {
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
  });

  test('recommended labels on the job and its pods', () => {
    for (const labels of [jobManifest.metadata.labels, jobManifest.spec.template.metadata.labels]) {
      expect(labels).toMatchObject({
        'app.kubernetes.io/name': 'test-migrate',
        'app.kubernetes.io/instance': jobManifest.metadata.name,
        'app.kubernetes.io/managed-by': 'cdk8s-hardened',
      });
    }
  });
});

describe('documented defaults and their options', () => {
  test('retries, deadline and clean-up can be set', () => {
    const { chart } = minimal({ backoffLimit: 0, activeDeadline: Duration.hours(2), ttlAfterFinished: Duration.seconds(0) });
    expect(only(synth(chart), 'Job').spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 0 });
  });

  test('restartPolicy OnFailure is allowed', () => {
    const { chart } = minimal({ restartPolicy: kplus.RestartPolicy.ON_FAILURE });
    expect(podSpec(only(synth(chart), 'Job')).restartPolicy).toBe('OnFailure');
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('containers and init containers added later get the same hardening', () => {
    const { chart, job } = minimal();
    job.addInitContainer({ name: 'wait', image: DIGEST_IMAGE });
    job.addContainer({ name: 'report', image: DIGEST_IMAGE });
    const manifests = synth(chart);
    expectHardenedPod(podSpec(only(manifests, 'Job')), manifests);
    expect(Guard.findings(chart)).toEqual([]);
  });
});

describe('weakening a default needs an exemption', () => {
  test('through props: a token mount fails synthesis without an exemption', () => {
    const { chart, job } = minimal({ automountServiceAccountToken: true });
    expect(synthError(chart)).toContain(`[test/migrate/Resource] service-account-token: Job shop/${job.name} /spec/template/spec/automountServiceAccountToken`);
  });

  test('through props with an exemption: synthesizes and records it', () => {
    const { chart } = minimal({
      automountServiceAccountToken: true,
      exemptions: [{ control: Controls.SERVICE_ACCOUNT_TOKEN, reason: 'the migration job reads its ConfigMap lock through the API' }],
    });
    const jobManifest = only(synth(chart), 'Job');
    expect(podSpec(jobManifest).automountServiceAccountToken).toBe(true);
    expect(jobManifest.metadata.annotations).toHaveProperty(['exemptions.cdk8s-hardened.io/service-account-token']);
    expect(Guard.findings(chart).map(f => [f.controlId, f.status])).toEqual([['service-account-token', FindingStatus.EXEMPT]]);
  });

  test('through a JSON-patch escape hatch: fails without an exemption, passes with one', () => {
    const patch = JsonPatch.replace('/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation', true);
    const bare = minimal();
    ApiObject.of(bare.job).addJsonPatch(patch);
    expect(synthError(bare.chart)).toContain('allow-privilege-escalation: Job shop/');

    const exempted = minimal({ exemptions: [{ control: Controls.ALLOW_PRIVILEGE_ESCALATION, reason: REASON }] });
    ApiObject.of(exempted.job).addJsonPatch(patch);
    expect(podSpec(only(synth(exempted.chart), 'Job')).containers[0].securityContext.allowPrivilegeEscalation).toBe(true);
  });
});

describe('bad input fails at construction with the path, the field and the fix', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['restartPolicy Always', () => minimal({ restartPolicy: kplus.RestartPolicy.ALWAYS }),
      /\[test\/migrate\] restartPolicy: 'Always' is not allowed for a Job, whose pods run to completion; leave it unset \(Never\) or use RestartPolicy.ON_FAILURE/],
    ['negative backoffLimit', () => minimal({ backoffLimit: -1 }), /\[test\/migrate\] backoffLimit: -1 is not a retry count/],
    ['zero deadline', () => minimal({ activeDeadline: Duration.seconds(0) }), /\[test\/migrate\] activeDeadline: 0 seconds is not a whole number of seconds from 1/],
    ['fractional ttl', () => minimal({ ttlAfterFinished: Duration.millis(1500) }), /\[test\/migrate\] ttlAfterFinished: 1.5 seconds is not a whole number of seconds from 0/],
    ['untagged image', () => minimal({ containers: [{ image: 'registry.example.com/migrate' }] }), /containers\[0\]: image 'registry.example.com\/migrate' has no tag or digest/],
  ];
  test.each(cases)('%s', (_name, build, error) => {
    expect(build).toThrow(error);
  });
});
