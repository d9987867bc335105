import { App, Chart } from 'cdk8s';
import { HardenedDeployment } from 'cdk8s-hardened';

const app = new App();
const chart = new Chart(app, 'consumer', { namespace: 'consumer' });
new HardenedDeployment(chart, 'web', {
  containers: [{
    image: 'registry.example.com/consumer/web:1.0.0',
    portNumber: 8080,
    securityContext: process.env.WEAKEN ? { readOnlyRootFilesystem: false } : undefined,
  }],
});
app.synth();
