// core/v1 Events, after legacyValidateEvent: the v1 API keeps the loose rules of old clients (no
// required involvedObject), only the namespaces must agree and "new style" events (eventTime set)
// must name their reporter, action and reason.
import { type Causes, invalid, type Json, required } from './field.js';
import { isDNS1123Subdomain, isQualifiedName } from './names.js';

const reportingInstanceLimit = 128;
const actionLimit = 128;
const reasonLimit = 128;
const noteLimit = 1024;

export function validateEventFields(c: Causes, obj: Json): void {
  const meta = (obj.metadata ?? {}) as Json;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const involved = c.object(obj, 'involvedObject', '') ?? {};
  const involvedNamespace = c.string(involved, 'namespace', 'involvedObject') ?? '';
  const mismatch = () =>
    invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  const eventTime = obj.eventTime;
  if (eventTime === undefined || eventTime === null || eventTime === '') {
    if (involvedNamespace === '') {
      if (namespace !== '' && namespace !== 'default') c.add(mismatch());
    } else if (namespace !== involvedNamespace) {
      c.add(mismatch());
    }
  } else {
    if (involvedNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') c.add(mismatch());
    const controller = c.string(obj, 'reportingComponent', '') ?? '';
    if (controller === '') c.add(required('reportingComponent'));
    for (const msg of isQualifiedName(controller)) c.add(invalid('reportingComponent', controller, msg));
    const limited: Array<[string, number, boolean]> = [
      ['reportingInstance', reportingInstanceLimit, true],
      ['action', actionLimit, true],
      ['reason', reasonLimit, true],
      ['message', noteLimit, false],
    ];
    for (const [field, limit, isRequired] of limited) {
      const value = c.string(obj, field, '') ?? '';
      if (isRequired && value === '') c.add(required(field));
      if (value.length > limit) c.add(invalid(field, '', `can have at most ${limit} characters`));
    }
  }
  for (const msg of isDNS1123Subdomain(namespace)) c.add(invalid('namespace', namespace, msg));
}
