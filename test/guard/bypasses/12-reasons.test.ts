import { ApiObject } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { Attempt, catalogue, defaultDeny, privilegedPod } from './harness';
import { Controls, Exemptions } from '../../../src';

/** The privileged Pod exempted with `exemption`: in code for the guard, as the annotation for `check`. */
function exemptedPrivilegedPod(name: string, exemption: { reason: string; expires?: string }): Attempt {
  const pod = privilegedPod();
  const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'exemptions.cdk8s-hardened.io/privileged': JSON.stringify(exemption) } } };
  return {
    name,
    guard: chart => {
      Exemptions.of(chart).add({ control: Controls.PRIVILEGED, ...exemption });
      new ApiObject(chart, 'policy', defaultDeny());
      new ApiObject(chart, 'evil', pod);
    },
    yaml: [defaultDeny(), annotated].map(o => jsYaml.dump(o)).join('---\n'),
    expect: exemption.expires
      ? new RegExp(`expires "${exemption.expires}" is more than 365 days after today`)
      : new RegExp(`reason "${exemption.reason}" is a placeholder`),
  };
}

// Issue 12: reasons that say nothing, and expiries that never come.
catalogue('12. reasons that say nothing', [
  exemptedPrivilegedPod('metasyntactic words as the reason', { reason: 'qux quux corge grault garply' }),
  exemptedPrivilegedPod('chat filler as the reason', { reason: 'mkay whatever dunno lol' }),
  exemptedPrivilegedPod('filler not on the old denylist', { reason: 'blah blah meh nah yolo' }),
  exemptedPrivilegedPod('keyboard runs as the reason', { reason: 'sdfgh wertyu xcvbn lkjhg' }),
  exemptedPrivilegedPod('an expiry in the year 9999', { reason: 'vendor agent needs raw device access for disk encryption', expires: '9999-12-31' }),
]);
