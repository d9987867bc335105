import * as path from 'path';
import { Construct } from 'constructs';
import { ImageLock, ImagePolicy, ImageSignature } from '../../src';

/** Where every shop image comes from: the team's path of the company registry. */
export const SHOP_REGISTRY = 'registry.example.com/shop';

/**
 * The shop's images, by tag only: the digests come from images.lock.json (`cdk8s-hardened pin` writes it; synthesis
 * reads it offline). Changing a tag here without pinning again fails synthesis, naming the image and the command.
 */
export const SHOP_IMAGES = {
  frontend: `${SHOP_REGISTRY}/frontend:2.3.1`,
  backend: `${SHOP_REGISTRY}/backend:1.8.0`,
  postgres: `${SHOP_REGISTRY}/postgres:16.4`,
  backup: `${SHOP_REGISTRY}/db-backup:1.2.0`,
};

/** The lock file beside this file. */
export const SHOP_IMAGE_LOCK = path.join(__dirname, 'images.lock.json');

/** The release workflow that signs the shop's images (keyless, GitHub Actions OIDC), on version tags only. */
const RELEASE_SIGNATURE = ImageSignature.keyless({
  issuer: 'https://token.actions.githubusercontent.com',
  subjectRegExp: '^https://github\\.com/example/shop/\\.github/workflows/release\\.yml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$',
});

/**
 * The shop's image supply chain, declared once in the scope the shop is added to (usually the App): images only from
 * the shop's registry path, signed by its release workflow, digest-pinned from the lock. Created on first use.
 */
export function shopImagePolicy(scope: Construct): ImagePolicy {
  const existing = scope.node.tryFindChild('image-policy');
  if (existing) return existing as unknown as ImagePolicy;
  return new ImagePolicy(scope, 'image-policy', {
    registries: [{ prefix: SHOP_REGISTRY, signatures: [RELEASE_SIGNATURE] }],
    imageLock: ImageLock.fromFile(SHOP_IMAGE_LOCK),
  });
}

/** `scope`, once the shop's image policy is declared in it (for a constructor's `super(...)` call). */
export function withShopImagePolicy<T extends Construct>(scope: T): T {
  shopImagePolicy(scope);
  return scope;
}
