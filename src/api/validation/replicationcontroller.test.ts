import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, messageOf, summary, updateCauses, validRC } from './testing.js';

const rc = (mutate: (r: Mutable) => void) => createCauses('replicationcontrollers', validRC(), mutate);

describe('replication controller validation', () => {
  it('accepts a valid RC, and one whose selector and labels come from the template', () => {
    expect(rc(() => {})).toEqual([]);
    expect(
      rc((r) => {
        delete r.spec.selector;
        delete r.spec.replicas;
      }),
    ).toEqual([]);
  });

  it.each<[string, (r: Mutable) => void, string[]]>([
    ['replicas not negative', (r) => (r.spec.replicas = -1), ['spec.replicas FieldValueInvalid']],
    [
      'selector must match template labels',
      (r) => (r.spec.selector = { app: 'other' }),
      ['spec.template.metadata.labels FieldValueInvalid'],
    ],
    ['template required', (r) => delete r.spec.template, ['spec.template FieldValueRequired']],
    [
      'selector required when nothing provides it',
      (r) => {
        delete r.spec.selector;
        delete r.spec.template.metadata.labels;
      },
      ['spec.selector FieldValueRequired'],
    ],
    [
      'template restart policy is Always',
      (r) => (r.spec.template.spec.restartPolicy = 'OnFailure'),
      ['spec.template.spec.restartPolicy FieldValueNotSupported'],
    ],
    [
      'template pod spec is validated',
      (r) => (r.spec.template.spec.containers = []),
      ['spec.template.spec.containers FieldValueRequired'],
    ],
    [
      'template image required',
      (r) => delete r.spec.template.spec.containers[0].image,
      ['spec.template.spec.containers[0].image FieldValueRequired'],
    ],
    [
      'no activeDeadlineSeconds in templates',
      (r) => (r.spec.template.spec.activeDeadlineSeconds = 10),
      ['spec.template.spec.activeDeadlineSeconds FieldValueForbidden'],
    ],
    [
      'template labels use the Kubernetes path (and are copied to the RC labels)',
      (r) => {
        r.spec.template.metadata.labels['bad key'] = 'x';
      },
      ['metadata.labels FieldValueInvalid', 'spec.template.labels FieldValueInvalid'],
    ],
    [
      'minReadySeconds not negative',
      (r) => (r.spec.minReadySeconds = -5),
      ['spec.minReadySeconds FieldValueInvalid'],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(rc(mutate))).toEqual(expected);
  });

  it('uses Kubernetes messages', () => {
    expect(
      messageOf(
        rc((r) => (r.spec.selector = { app: 'other' })),
        'spec.template.metadata.labels',
      ),
    ).toBe('Invalid value: map[string]string{"app":"web"}: selector does not match template labels');
    expect(
      messageOf(
        rc((r) => (r.spec.replicas = -1)),
        'spec.replicas',
      ),
    ).toBe('Invalid value: -1: must be greater than or equal to 0');
    expect(
      messageOf(
        rc((r) => (r.spec.template.spec.restartPolicy = 'Never')),
        'spec.template.spec.restartPolicy',
      ),
    ).toBe('Unsupported value: "Never": supported values: "Always"');
  });

  it('lets updates change replicas, selector and template together', () => {
    expect(
      updateCauses('replicationcontrollers', validRC(), (r) => {
        r.spec.replicas = 5;
        r.spec.selector = { app: 'web', v: '2' };
        r.spec.template.metadata.labels = { app: 'web', v: '2' };
        r.spec.template.spec.containers[0].ports = [{ containerPort: 8080 }];
      }),
    ).toEqual([]);
  });
});
