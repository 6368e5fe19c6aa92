// Resource requests to handlers, by subresource and verb. A verb a (sub)resource does not support is
// 405 MethodNotAllowed; an unknown subresource is 404.
import { ApiError, methodNotAllowed } from '../../api/errors.js';
import { handleBinding } from './binding.js';
import type { RequestContext } from './context.js';
import { handleLog } from './log.js';
import { handleGet, handleList } from './read.js';
import { handleGetScale, handlePatchScale, handleUpdateScale } from './scale.js';
import { handleWatch } from './watch.js';
import { handleCreate, handleDelete, handleDeleteCollection, handlePatch, handleUpdate } from './write.js';

export async function routeResource(ctx: RequestContext): Promise<void> {
  const { verb, subresource, name, resource } = ctx.info;
  if (subresource === '') {
    switch (verb) {
      case 'get':
        return handleGet(ctx);
      case 'list':
        return handleList(ctx);
      case 'watch':
        return handleWatch(ctx);
      case 'create':
        if (name !== '') throw methodNotAllowed();
        return handleCreate(ctx);
      case 'update':
        return handleUpdate(ctx);
      case 'patch':
        return handlePatch(ctx);
      case 'delete':
        return handleDelete(ctx);
      case 'deletecollection':
        return handleDeleteCollection(ctx);
    }
  }
  if (
    !resource.subresources.includes(subresource) &&
    !(resource.name === 'namespaces' && subresource === 'finalize')
  ) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  switch (`${subresource}:${verb}`) {
    case 'status:get':
      return handleGet(ctx);
    case 'status:update':
      return handleUpdate(ctx, 'status');
    case 'status:patch':
      return handlePatch(ctx, 'status');
    case 'finalize:update':
      return handleUpdate(ctx, 'finalize');
    case 'scale:get':
      return handleGetScale(ctx);
    case 'scale:update':
      return handleUpdateScale(ctx);
    case 'scale:patch':
      return handlePatchScale(ctx);
    case 'binding:create':
      return handleBinding(ctx);
    case 'log:get':
      return handleLog(ctx);
  }
  throw methodNotAllowed();
}
