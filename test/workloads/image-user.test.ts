import { ApiObject, Cron, JsonPatch, Testing } from 'cdk8s';
import { FindingStatus, Guard, HardenedCronJob, HardenedDeployment, ImageUser } from '../../src';
import { DIGEST_IMAGE, only, podSpec, REASON, synth, synthError } from '../helpers/synth';

const NGINX = 'the stock nginx image owns /var/cache/nginx and its pid file as uid/gid 101';

function web(props: any = {}) {
  const chart = Testing.chart();
  const w = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], ...props });
  return { chart, w };
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('an image\'s own uid below 10000', () => {
  test('runAsUser: 101 fails once per workload, naming the containers that repeat it, with the pinned exemption as the fix', () => {
    const { chart } = web({ runAsUser: 101 });
    const message = synthError(chart);
    expect(countOf(message, 'high-uid-gid:')).toBe(1);
    expect(message).toContain('/spec/template/spec/securityContext/runAsUser: pod securityContext has runAsUser 101, not a number >= 10000 '
      + '(set the same on containers[0] \'main\')');
    expect(message).toContain('pointer /spec/template/spec/securityContext/runAsUser, pointerValue 101');
    expect(message).toContain('ImageUser.of(uid, reason)');
  });

  test('uid and gid 101 are two findings (one per field), not four', () => {
    expect(countOf(synthError(web({ runAsUser: 101, runAsGroup: 101 }).chart), 'high-uid-gid:')).toBe(2);
  });

  test('a container with another low uid still gets its own finding', () => {
    const { chart, w } = web({ runAsUser: 101 });
    w.addContainer({ name: 'exporter', image: DIGEST_IMAGE, securityContext: { user: 102 } });
    const message = synthError(chart);
    expect(countOf(message, 'high-uid-gid:')).toBe(2);
    expect(message).toContain('containers[1] \'exporter\' has runAsUser 102');
  });

  test('imageUser runs as the image\'s ids at both levels and exempts exactly those values, with the reason', () => {
    const { chart } = web({ imageUser: ImageUser.of(101, NGINX, { gid: 101, ticket: 'SEC-42' }) });
    const manifests = synth(chart);
    const pod = podSpec(only(manifests, 'Deployment'));
    expect(pod.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101, runAsNonRoot: true });
    expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101 });
    const findings = Guard.findings(chart).filter(f => f.controlId === 'high-uid-gid');
    expect(findings.map(f => [f.status, f.pointer])).toEqual([
      [FindingStatus.EXEMPT, '/spec/template/spec/securityContext/runAsUser'],
      [FindingStatus.EXEMPT, '/spec/template/spec/securityContext/runAsGroup'],
    ]);
    expect(Guard.findings(chart).filter(f => f.status === FindingStatus.FAIL)).toEqual([]);
    expect(JSON.stringify(only(manifests, 'Deployment').metadata.annotations)).toContain(NGINX);
  });

  test('the exemption is pinned: a patched pod value or another container value fails', () => {
    const pod = web({ imageUser: ImageUser.of(101, NGINX) });
    ApiObject.of(pod.w).addJsonPatch(JsonPatch.replace('/spec/template/spec/securityContext/runAsUser', 100));
    expect(synthError(pod.chart)).toMatch(/high-uid-gid: Deployment shop\/.* \/spec\/template\/spec\/securityContext\/runAsUser: pod securityContext has runAsUser 100/);
    const container = web({ imageUser: ImageUser.of(101, NGINX) });
    ApiObject.of(container.w).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/runAsUser', 5));
    expect(synthError(container.chart)).toMatch(/containers\/0\/securityContext\/runAsUser: containers\[0\] 'main' has runAsUser 5/);
  });

  test('a CronJob gets the exemption at its job template\'s pod', () => {
    const chart = Testing.chart();
    new HardenedCronJob(chart, 'job', { metadata: { namespace: 'shop' }, schedule: Cron.daily(), containers: [{ image: DIGEST_IMAGE }], imageUser: ImageUser.of(999, REASON) });
    synth(chart);
    expect(Guard.findings(chart).filter(f => f.controlId === 'high-uid-gid').map(f => [f.status, f.pointer]))
      .toEqual([[FindingStatus.EXEMPT, '/spec/jobTemplate/spec/template/spec/securityContext/runAsUser']]);
  });

  test('a uid of 10000 or more needs no exemption; bad input is refused', () => {
    const { chart } = web({ imageUser: ImageUser.of(10001, NGINX) });
    expect(Guard.findings(chart)).toEqual([]);
    expect(() => ImageUser.of(0, NGINX)).toThrow(/ImageUser.of: uid 0 is not a non-root numeric id; give the id the image runs as, e.g. 101/);
    expect(() => ImageUser.of(101, NGINX, { gid: -1 })).toThrow(/gid -1 is not a non-root numeric id/);
    expect(() => web({ runAsUser: 100, imageUser: ImageUser.of(101, NGINX) })).toThrow(/\[test\/web\] runAsUser: 100 conflicts with imageUser uid 101; set only one of them/);
    expect(() => web({ imageUser: { uid: 101 } })).toThrow(/\[test\/web\] imageUser: .* is not an ImageUser/);
    expect(() => synth(web({ imageUser: ImageUser.of(101, 'nginx') }).chart)).toThrow(/reason "nginx"/);
  });
});
