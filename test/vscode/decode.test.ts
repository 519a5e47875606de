import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { findingFor } from '../../src/core/errors/catalogue';
import type { DecodeResult } from '../../src/vscode/decode';
import { SANDBOX_DEFAULTS } from '../sandbox/zohoSandbox';
import { devkit, setSetting, waitFor } from './helpers';

const SEED = 'HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}';
const LOG_LINES = [
  ...Array.from({ length: 10 }, (_, i) => `2026-11-25 11:30:0${i % 10} INFO visitor sync ok`),
  `2026-11-25 11:40:02 ERROR SalesIQ call failed: ${SEED}`,
  '2026-11-25 11:40:03 INFO retrying in 60 s',
];
const ERROR_LINE = 10;
const USER = SANDBOX_DEFAULTS.user;

const decode = (args: unknown) => vscode.commands.executeCommand<DecodeResult | undefined>('salesiq.decodeError', args);
const commandsOf = (r: DecodeResult | undefined, i = 0) => (r?.fixes[i] ?? []).map((b) => b.command);
const hoverText = (hovers: vscode.Hover[]) =>
  hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
const decodeTabOpen = () =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.label === 'SalesIQ: Decoded Error');

describe('decoding SalesIQ/Zoho errors in a real VS Code', function () {
  const saved: Record<string, unknown> = {};
  let logFile: vscode.Uri;

  before(async () => {
    const api = await devkit();
    const cfg = vscode.workspace.getConfiguration('salesiq');
    for (const key of ['profiles', 'activeProfile', 'autoRefresh']) saved[key] = cfg.inspect(key)?.globalValue;
    // The token below is expired; nothing may try to refresh it against the real Zoho.
    await setSetting('autoRefresh', false);
    const setup = { profile: 'decode', dataCenter: 'in', clientId: USER.clientId, clientSecret: USER.clientSecret, refreshToken: USER.refreshTokens[0] };
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.setupCredentials', { ...setup, accessToken: '1000.aaaa.bbbb', issuedMinutesAgo: 94 }), true);
    assert.strictEqual(api.controller.profile.name, 'decode');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-decode-'));
    logFile = vscode.Uri.file(path.join(dir, 'app.log'));
    fs.writeFileSync(logFile.fsPath, LOG_LINES.join('\n') + '\n');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.dirname(logFile.fsPath), { recursive: true, force: true });
    await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false });
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value);
    const api = await devkit();
    await waitFor('another profile active', () => api.controller.profile.name !== 'decode');
  });

  it('decodes the seed error as an expired token with the stored expiry as evidence and offers Refresh', async () => {
    const r = await decode({ text: SEED });
    assert.strictEqual(r?.findings.length, 1, JSON.stringify(r));
    const f = r.findings[0];
    assert.deepStrictEqual([f.source, f.code, f.httpStatus, f.action], ['salesiq', 1001, 400, 'refresh']);
    assert.match(f.details?.evidence ?? '', /^Your stored token expired 34 min ago at \d\d:\d\d local/);
    assert.ok(f.explanation.includes(f.details!.evidence!), 'the evidence is part of the explanation shown');
    assert.strictEqual(commandsOf(r)[0], 'salesiq.refreshToken');
    await waitFor('the decode view', decodeTabOpen);
  });

  it('offers only fix buttons whose commands exist', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const r = await decode({ text: SEED });
    for (const c of commandsOf(r)) assert.ok(registered.has(c), `${c} is registered`);
    assert.strictEqual(commandsOf(r).includes('salesiq.pushToServer'), registered.has('salesiq.pushToServer'));
  });

  it('shows the finding of a failure notification as given', async () => {
    const f = findingFor('oauth', 'invalid_client', { httpStatus: 200, details: { dataCenter: 'com' } });
    const r = await decode({ finding: f });
    assert.deepStrictEqual(r?.findings, [f]);
    assert.deepStrictEqual(commandsOf(r), ['salesiq.openSettings']);
  });

  it('says there is no error in a success body', async () => {
    const r = await decode({ text: 'HTTP/1.1 200 OK\n\n{"access_token":"1000.x.y","api_domain":"https://www.zohoapis.in","token_type":"Bearer","expires_in":3600}' });
    assert.deepStrictEqual(r, { findings: [], fixes: [], from: 'the given text' });
  });

  it('hovering a 1001 in a log file explains it and links the refresh', async () => {
    const doc = await vscode.workspace.openTextDocument(logFile);
    const at = new vscode.Position(ERROR_LINE, doc.lineAt(ERROR_LINE).text.indexOf('1001'));
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at));
    assert.match(text, /salesiq 1001/);
    assert.match(text, /expired 34 min ago/);
    assert.ok(text.includes('](command:salesiq.refreshToken)'), text);
  });

  it('stays silent on the log lines next to an error', async () => {
    const doc = await vscode.workspace.openTextDocument(logFile);
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(ERROR_LINE - 1, 25)));
    assert.ok(!text.includes('salesiq'), text);
  });

  it('hovers the status line and the code line of a pretty-printed response in an untitled editor', async () => {
    const body = JSON.stringify({ error: { code: 1001, message: 'Unknown authentication error, Contact SalesIQ Team!' } }, null, 2);
    const doc = await vscode.workspace.openTextDocument({ content: `HTTP/1.1 400 Bad Request\n${body}\n` });
    const codeLine = doc.getText().split('\n').findIndex((l) => l.includes('"code"'));
    for (const at of [new vscode.Position(0, 10), new vscode.Position(codeLine, 12)]) {
      const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at));
      assert.match(text, /salesiq 1001 · HTTP 400/, `line ${at.line}`);
    }
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('offers the decode and the refresh as code actions on the error, and the decode action opens the view', async () => {
    const doc = await vscode.workspace.openTextDocument(logFile);
    const range = new vscode.Range(ERROR_LINE, 30, ERROR_LINE, 30);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range);
    const refresh = actions.find((a) => a.command?.command === 'salesiq.refreshToken');
    const decodeAction = actions.find((a) => a.title === 'Decode SalesIQ error');
    assert.ok(refresh && decodeAction, actions.map((a) => a.title).join(', '));
    const r = await vscode.commands.executeCommand<DecodeResult>(decodeAction.command!.command, ...(decodeAction.command!.arguments ?? []));
    assert.deepStrictEqual([r.findings.map((f) => f.code), r.from], [[1001], `app.log line ${ERROR_LINE + 1}`]);
    const none = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(ERROR_LINE + 1, 0, ERROR_LINE + 1, 0));
    assert.ok(!none.some((a) => a.title === 'Decode SalesIQ error'), 'no decode action away from the error');
  });
});
