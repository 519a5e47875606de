import type { Clock } from '../../core/token/clock';
import type { DecodeContext } from '../../core/errors/decode';
import { internalErrorLine } from '../../core/errors/internal';
import type { Log } from '../log';
import type { TokenController } from '../tokenController';

/** What the decode features need from the extension: the active profile's token and data centre, time, the log. */
export interface DecodeDeps {
  controller: Pick<TokenController, 'token' | 'profile'>;
  clock: Clock;
  log: Log;
}

/** The user's own situation, so 1001/1008 cite the stored expiry, 1009 the token type, invalid_client the data centre. */
export function decodeContext(deps: DecodeDeps): DecodeContext {
  const t = deps.controller.token;
  return {
    now: deps.clock.now(),
    dataCenter: deps.controller.profile.dataCenter,
    token: t && { expiresAt: t.expiresAt, accessToken: t.accessToken },
    onInternalError: (where, err) => deps.log.error('decode', internalErrorLine(where, err)),
  };
}
