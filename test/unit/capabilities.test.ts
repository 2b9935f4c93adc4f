// The answers for clients without a capability: hovers in plain text, the Outline as a flat list,
// code actions as commands (the LSP tests check them over the wire; these check the conversions).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { codeActionsAsCommands } from '../../server/src/service/codeActions.ts';
import { Commands } from '../../server/src/protocol/codes.ts';
import { markdownToPlainText, plainTextHover } from '../../server/src/service/hover.ts';
import { flatSymbols } from '../../server/src/service/symbols.ts';

test('markdown of hovers as plain text', () => {
  assert.equal(markdownToPlainText('**`lookup_fast+0x3d0/0x3d0`** · unreliable (`?`)'), 'lookup_fast+0x3d0/0x3d0 · unreliable (?)');
  assert.equal(
    markdownToPlainText('**`<EOI>`** — *end of interrupt stack* (kernels up to about 4.10).'),
    '<EOI> — end of interrupt stack (kernels up to about 4.10).',
  );
  assert.equal(
    markdownToPlainText('- `lookup_fast` — [`fs/namei.c:1612`](file:///src/fs/namei.c#L1612) (inlined)'),
    '- lookup_fast — fs/namei.c:1612 (file:///src/fs/namei.c#L1612) (inlined)',
  );
  assert.equal(
    markdownToPlainText('Code:\n\n```asm\ncall *%rax\nmov 0x8(%rdi),%rax\n```\n\n---\n\nnext'),
    'Code:\n\ncall *%rax\nmov 0x8(%rdi),%rax\n\n---\n\nnext',
  );
  // What is not markdown stays: a product, a pointer in a code span, an address in brackets.
  assert.equal(markdownToPlainText('x * 3 * y, `*ptr`, [<ffffffff8129b350>]'), 'x * 3 * y, *ptr, [<ffffffff8129b350>]');
  const hover = { contents: { kind: 'markdown' as const, value: '**x**' }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
  assert.deepEqual(plainTextHover(hover), { contents: { kind: 'plaintext', value: 'x' }, range: hover.range });
  assert.equal(plainTextHover(null), null);
});

test('the Outline as a flat list: parents first, children naming their container', () => {
  const range = (a: number, b: number) => ({ start: { line: a, character: 0 }, end: { line: b, character: 0 } });
  const tree: DocumentSymbol[] = [
    {
      name: 'BUG: x',
      kind: SymbolKind.Event,
      range: range(0, 9),
      selectionRange: range(0, 0),
      children: [
        {
          name: 'Call Trace',
          kind: SymbolKind.Array,
          range: range(2, 8),
          selectionRange: range(2, 2),
          children: [{ name: '<IRQ>', kind: SymbolKind.Namespace, range: range(3, 4), selectionRange: range(3, 3) }],
        },
        { name: 'RIP: f', kind: SymbolKind.Struct, range: range(1, 1), selectionRange: range(1, 1) },
      ],
    },
    { name: 'WARNING: y', kind: SymbolKind.Event, range: range(10, 12), selectionRange: range(10, 10), children: [] },
  ];
  assert.deepEqual(
    flatSymbols('file:///a.log', tree).map((s) => [s.name, s.containerName, s.location.range.start.line, s.location.uri]),
    [
      ['BUG: x', undefined, 0, 'file:///a.log'],
      ['Call Trace', 'BUG: x', 2, 'file:///a.log'],
      ['<IRQ>', 'Call Trace', 3, 'file:///a.log'],
      ['RIP: f', 'BUG: x', 1, 'file:///a.log'],
      ['WARNING: y', undefined, 10, 'file:///a.log'],
    ],
  );
  assert.ok(!('containerName' in flatSymbols('u', tree)[0]));
});

test('code actions as commands', () => {
  const edit = { changes: { 'file:///a.log': [] } };
  const fold = { title: 'fold', command: 'kernelLog.foldLines', arguments: [{ uri: 'file:///a.log', ranges: [] }] };
  assert.deepEqual(
    codeActionsAsCommands([
      { title: 'Hide duplicate entry', kind: 'quickfix', command: fold, isPreferred: true },
      { title: 'Remove duplicate entry', kind: 'quickfix', edit },
      { title: 'Nothing to do', kind: 'quickfix' },
    ]),
    [
      { title: 'Hide duplicate entry', command: 'kernelLog.foldLines', arguments: fold.arguments },
      { title: 'Remove duplicate entry', command: Commands.applyEdit, arguments: [edit] },
    ],
  );
});
