export {
  createFakeRuntime,
  type FakeCall,
  type FakeExit,
  FakeRuntime,
  type FakeRuntimeOptions,
  FakeStore,
} from './fake-runtime.js';
