// Replication controllers, after ValidateReplicationControllerSpec and ValidatePodTemplateSpecForRC.
import { selectorFromSet } from '../labels.js';
import {
  type Causes,
  forbidden,
  goStringMap,
  invalid,
  isNegativeErrorMsg,
  type Json,
  notSupported,
  required,
} from './field.js';
import { validateAnnotations, validateLabels } from './meta.js';
import { validatePodSpec } from './pod.js';

export function validateReplicationControllerSpec(c: Causes, spec: Json): void {
  const minReady = c.integer(spec, 'minReadySeconds', 'spec') ?? 0;
  if (minReady < 0) c.add(invalid('spec.minReadySeconds', minReady, isNegativeErrorMsg));
  const selector = c.stringMap(spec, 'selector', 'spec') ?? {};
  if (Object.keys(selector).length === 0) c.add(required('spec.selector'));
  validateLabels(c, selector, 'spec.selector');
  const replicas = c.integer(spec, 'replicas', 'spec') ?? 0;
  if (replicas < 0) c.add(invalid('spec.replicas', replicas, isNegativeErrorMsg));

  const template = c.object(spec, 'template', 'spec');
  if (!template) {
    c.add(required('spec.template'));
    return;
  }
  const meta = c.object(template, 'metadata', 'spec.template') ?? {};
  const labels = c.stringMap(meta, 'labels', 'spec.template.metadata');
  if (Object.keys(selector).length > 0 && !selectorFromSet(selector).matches(labels)) {
    c.add(
      invalid(
        'spec.template.metadata.labels',
        goStringMap(labels),
        'selector does not match template labels',
      ),
    );
  }
  // Kubernetes reports template label and annotation problems without the "metadata" segment.
  validateLabels(c, labels, 'spec.template.labels');
  validateAnnotations(
    c,
    c.stringMap(meta, 'annotations', 'spec.template.metadata'),
    'spec.template.annotations',
  );
  const podSpec = c.object(template, 'spec', 'spec.template') ?? {};
  validatePodSpec(c, podSpec, 'spec.template.spec', false);
  const restartPolicy = typeof podSpec.restartPolicy === 'string' ? podSpec.restartPolicy : '';
  if (restartPolicy !== 'Always')
    c.add(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    c.add(
      forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in ReplicationController is not Supported',
      ),
    );
  }
}
