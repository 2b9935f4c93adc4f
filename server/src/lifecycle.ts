// The LSP lifecycle, as the specification has it, applied to every message before it is dispatched
// (a vscode-jsonrpc message strategy, so no handler has to check it and methods nobody handles are
// covered too):
//   - before `initialize`, a request gets ServerNotInitialized (-32002) and a notification is
//     dropped (`exit` excepted);
//   - after `shutdown`, a request gets InvalidRequest (-32600) and a notification other than `exit`
//     is dropped;
//   - a second `initialize` gets InvalidRequest.
// No connection here: server.ts passes the strategy to createConnection and answers the refused
// requests (REFUSED_REQUEST, refusalError).
import { ErrorCodes, Message, ResponseError, type MessageStrategy } from 'vscode-languageserver/node';

type Dispatched = ReturnType<MessageStrategy['handleMessage']>;

export type LifecycleState = 'uninitialized' | 'running' | 'shutDown';

/**
 * The method a refused request is dispatched under (its id kept, so the client gets the error as
 * the answer to its request); its params say why (Refusal).
 */
export const REFUSED_REQUEST = 'kernelLog/$refused';

export interface Refusal {
  method: string;
  code: number;
  message: string;
}

export class Lifecycle implements MessageStrategy {
  private _state: LifecycleState = 'uninitialized';

  /** `log`: told about each message refused or dropped. */
  constructor(private readonly log: (message: string) => void = () => {}) {}

  get state(): LifecycleState {
    return this._state;
  }

  handleMessage(message: Message, next: (message: Message) => Dispatched): Dispatched {
    if (Message.isRequest(message)) {
      const refusal = this.refusal(message.method);
      if (refusal) {
        this.log(refusal.message);
        return next({ ...message, method: REFUSED_REQUEST, params: refusal } as Message);
      }
      if (message.method === 'initialize') this._state = 'running';
      else if (message.method === 'shutdown') this._state = 'shutDown';
      return next(message);
    }
    if (Message.isNotification(message) && message.method !== 'exit' && this._state !== 'running') {
      this.log(`${message.method} dropped: ${this._state === 'uninitialized' ? 'the server is not initialized yet' : 'the server is shut down'}`);
      return;
    }
    return next(message);
  }

  /** Why a request for `method` is refused in the current state, or null when it is not. */
  refusal(method: string): Refusal | null {
    if (this._state === 'uninitialized') {
      return method === 'initialize'
        ? null
        : { method, code: ErrorCodes.ServerNotInitialized, message: `${method}: the server is not initialized (initialize first)` };
    }
    if (this._state === 'shutDown') return { method, code: ErrorCodes.InvalidRequest, message: `${method}: the server is shut down (only exit is accepted)` };
    if (method === 'initialize') return { method, code: ErrorCodes.InvalidRequest, message: 'initialize: the server is already initialized' };
    return null;
  }
}

/** The error a refused request (REFUSED_REQUEST) is answered with. */
export function refusalError(params: unknown): ResponseError<void> {
  const refusal = params as Partial<Refusal> | null;
  const code = typeof refusal?.code === 'number' ? refusal.code : ErrorCodes.InvalidRequest;
  return new ResponseError(code, typeof refusal?.message === 'string' ? refusal.message : 'request refused');
}
