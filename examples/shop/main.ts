import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedDeployment } from '../../src';

/**
 * The example shop: a web frontend and an API backend, each hardened with nothing but an image and a port.
 * Later examples grow it into frontend -> backend -> database in an isolated namespace.
 */
export class ShopChart extends Chart {
  public readonly frontend: HardenedDeployment;
  public readonly backend: HardenedDeployment;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });

    this.frontend = new HardenedDeployment(this, 'frontend', {
      partOf: 'shop',
      containers: [{
        name: 'web',
        image: 'registry.example.com/shop/frontend:2.3.1@sha256:4f1c6e8d2b9a7c5e3f1d0b8a6c4e2f0d9b7a5c3e1f0d8b6a4c2e0f9d7b5a3c1e',
        portNumber: 8080,
        // Distinct HTTP endpoints: an overloaded pod leaves the Service without being restarted.
        readiness: kplus.Probe.fromHttpGet('/ready'),
        liveness: kplus.Probe.fromHttpGet('/healthz'),
      }],
      // nginx writes its cache and pid file; everything else stays read-only.
      writablePaths: ['/var/cache/nginx', '/var/run/nginx'],
    });
    this.frontend.exposeViaService();

    this.backend = new HardenedDeployment(this, 'backend', {
      partOf: 'shop',
      containers: [{
        name: 'api',
        image: 'registry.example.com/shop/backend:1.8.0@sha256:9e7c5a3f1d0b8e6c4a2f0e9d7b5c3a1f0e8d6b4c2a0f9e7d5b3c1a0f8e6d4b2c',
        portNumber: 9000,
        readiness: kplus.Probe.fromHttpGet('/ready'),
        liveness: kplus.Probe.fromHttpGet('/healthz'),
      }],
    });
    this.backend.exposeViaService();
  }
}

/** Builds the example app; `outdir` defaults to cdk8s's (`dist`, or CDK8S_OUTDIR). */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  new ShopChart(app, 'shop');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
