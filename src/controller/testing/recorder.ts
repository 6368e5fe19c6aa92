// Test-only: an EventRecorder that keeps what it is given, for assertions on reasons and messages.
import type { ObjectReference } from '../../api/types.js';
import { type EventRecorder, type EventType, objectReference } from '../../client/events.js';
import type { ApiObject } from '../../client/resource.js';

export interface RecordedEvent {
  object: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
}

export interface RecordingRecorder extends EventRecorder {
  readonly events: RecordedEvent[];
  /** The messages recorded with this reason. */
  messages(reason: string): string[];
}

export function createRecordingRecorder(): RecordingRecorder {
  const events: RecordedEvent[] = [];
  return {
    events,
    record(involved: ApiObject | ObjectReference, type: EventType, reason: string, message: string) {
      events.push({ object: objectReference(involved), type, reason, message });
    },
    flush: async () => {},
    messages: (reason) => events.filter((e) => e.reason === reason).map((e) => e.message),
  };
}
