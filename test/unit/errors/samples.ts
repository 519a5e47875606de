/** Real-shaped error texts (docs/zoho.md §2, §6, §7, §12; docs/systemd-sudo.md). Shared by the decode and fuzz tests. */
export const SAMPLES = {
  salesiqRaw: '{"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}',
  salesiqAfterStatus: 'HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}',
  curl: [
    'HTTP/2 400 ',
    'date: Wed, 25 Nov 2026 11:37:00 GMT',
    'content-type: application/json;charset=UTF-8',
    'x-request-id: 9f1c',
    '',
    '{"error":{"code":1007,"message":"Invalid datatypes found in params","json_key":"department.status"}}',
  ].join('\r\n'),
  journal: [
    'Nov 25 11:36:59 web1 llm-chatbot[812]: INFO handing chat 42 to SalesIQ',
    'Nov 25 11:37:02 web1 llm-chatbot[812]: ERROR transfer failed: status=400 body={"error":{"code":1008,"message":"Invalid OAuthToken."}}',
    'Nov 25 11:37:02 web1 llm-chatbot[812]: INFO continuing',
  ].join('\n'),
  pythonDict:
    "ERROR:salesiq:open conversation failed: {'error': {'code': 1009, 'message': 'Invalid OAuthScope.'}, 'retry': False, 'data': None, 'ok': True}",
  oauthInvalidClient: 'HTTP/1.1 200 OK\nContent-Type: application/json\n\n{"error":"invalid_client"}',
  oauthInvalidCode: '{"error":"invalid_code"}',
  oauthThrottle:
    '{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}',
  oauthOtherDc: '{"user_location":"eu","error":"other_dc"}',
  truncated: '{"error":{"code":1001,"message":"Unknown auth',
  pythonConnectionError: [
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3/dist-packages/urllib3/connection.py", line 174, in _new_conn',
    '    conn = connection.create_connection(',
    'ConnectionRefusedError: [Errno 111] Connection refused',
    '',
    'During handling of the above exception, another exception occurred:',
    '',
    'Traceback (most recent call last):',
    '  File "/opt/llm-chatbot/salesiq.py", line 88, in transfer',
    '    r = requests.post(url, json=payload, headers=headers, timeout=10)',
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='salesiq.zoho.in', port=443): Max retries exceeded with url: /api/v2/zylker/conversations (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f2a>: Failed to establish a new connection: [Errno 111] Connection refused'))",
  ].join('\n'),
  pythonReadTimeout: [
    'Traceback (most recent call last):',
    "urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='accounts.zoho.in', port=443): Read timed out. (read timeout=10)",
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='accounts.zoho.in', port=443): Read timed out. (read timeout=10)",
  ].join('\n'),
  pythonSslError:
    "requests.exceptions.SSLError: HTTPSConnectionPool(host='accounts.zoho.com', port=443): Max retries exceeded with url: /oauth/v2/token (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain (_ssl.c:1006)')))",
  nodeRefused: [
    'Error: connect ECONNREFUSED 127.0.0.1:443',
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {',
    '  errno: -111,',
    "  code: 'ECONNREFUSED',",
    "  syscall: 'connect',",
    "  address: '127.0.0.1',",
    '  port: 443',
    '}',
  ].join('\n'),
  nodeNotFound: 'TypeError: fetch failed\n    at node:internal/deps/undici/undici:13502:13 {\n  [cause]: Error: getaddrinfo ENOTFOUND accounts.zoho.com\n      at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:120:26) {\n    errno: -3008,\n    code: \'ENOTFOUND\',\n    syscall: \'getaddrinfo\',\n    hostname: \'accounts.zoho.com\'\n  }\n}',
  sshChanged: [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'The fingerprint for the ED25519 key sent by the remote host is',
    'SHA256:q3d8mD2yJ0vKq1mYy6Hc2qE6Xy7nK3b1s0f9R1Yz3xQ.',
    'Offending ED25519 key in /home/dev/.ssh/known_hosts:3',
    'Host key verification failed.',
  ].join('\n'),
  sshUnknown: "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.",
  sshPublickey: 'deploy@10.0.0.5: Permission denied (publickey).',
  sshRefused: 'ssh: connect to host 10.0.0.5 port 22: Connection refused',
  sshTimedOut: 'ssh: connect to host 10.0.0.5 port 22: Connection timed out',
  sudoPassword: 'sudo: a password is required',
  sudoTerminal: 'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper',
  sudoTty: 'sudo: sorry, you must have a tty to run sudo',
  sudoNotAllowed: "Sorry, user deploy is not allowed to execute '/usr/bin/systemctl restart llm-chatbot' as root on web1.",
  sudoWrong: 'Sorry, try again.\nsudo: 1 incorrect password attempt',
  systemdJob: 'Job for llm-chatbot.service failed because the control process exited with error code.\nSee "systemctl status llm-chatbot.service" and "journalctl -xeu llm-chatbot.service" for details.',
  systemdNotFound: 'Failed to restart nope.service: Unit nope.service not found.',
  systemdCouldNot: 'Unit nope.service could not be found.',
  systemdInteractive: 'Failed to restart llm-chatbot.service: Interactive authentication required.',
  html503: '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
  successToken: '{"access_token":"1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210","api_domain":"https://www.zohoapis.in","token_type":"Bearer","expires_in":3600}',
  successList: '{"url":"/api/v2/zylker/departments","object":"list","data":[{"id":"5000000000013","name":"Support","is_enabled":"true"}],"sync_time":"1700000000000"}',
  nodeCertExpired:
    'FetchError: request to https://accounts.zoho.in/oauth/v2/token failed, reason: certificate has expired\n  code: \'CERT_HAS_EXPIRED\'',
  // The throttle body cut short by a log line's length limit: after the error word started, and before it.
  oauthThrottleCutInWord:
    'Nov 25 11:37:02 web1 llm-chatbot[812]: ERROR refresh failed: {"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access De',
  oauthThrottleCutBeforeWord:
    'Nov 25 11:37:02 web1 llm-chatbot[812]: ERROR refresh failed: {"error_description":"You have made too many requests continuously. Please try',
  // Zoho's other APIs (CRM, Desk) reached with the same token.
  zohoApiInvalidToken: 'HTTP/1.1 401 Unauthorized\n\n{"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}',
  zohoApiAuthFailure: '{"code":"AUTHENTICATION_FAILURE","details":{},"message":"Authentication failed","status":"error"}',
  zohoApiScopeMismatch:
    '{"data":[{"code":"OAUTH_SCOPE_MISMATCH","details":{},"message":"invalid oauth scope to access this URL","status":"error"}]}',
  // OAuth error words a framework writes bare, outside any JSON.
  frameworkInvalidClient: 'oauthlib.oauth2.rfc6749.errors.InvalidClientError: (invalid_client) ',
  frameworkInvalidCode: '2026-11-25 11:37:02 ERROR [zoho.auth] token refresh failed: invalid_code',
  prose: 'We looked at the error handling today. Invalid inputs are rejected, status looks fine and nothing failed.',
};
