import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SHOP_REGISTRY, shopImagePolicy } from './images';
import { AdmissionGuardrails } from '../../src';

/** Where the shop's images come from (its image policy, images.ts): the image-registry policy admits nothing else in the cluster. */
export const SHOP_REGISTRIES = [SHOP_REGISTRY];

/**
 * The shop's guardrails: the catalog as ValidatingAdmissionPolicies, in a chart of their own in the same app, so
 * whatever reaches the cluster by another path (kubectl, Helm, an operator) meets the controls the shop's YAML passed
 * at synthesis. The exemptions the shop declares in code (the backend's API token) travel with it, keyed on the
 * objects' identity. Apply with the platform's credentials: policies and bindings are cluster-scoped.
 */
export function addShopGuardrails(app: App, shop: IConstruct): AdmissionGuardrails {
  return new AdmissionGuardrails(app, 'guardrails', {
    // The image policy's own list: the admission policy and the synth-time control cannot drift apart.
    allowedRegistries: shopImagePolicy(app).allowedRegistries,
    requireImageDigests: shopImagePolicy(app).requireDigests,
    exemptions: AdmissionGuardrails.exemptionsOf(shop),
  });
}
