import { ApiError, type DailyRow, fetchDailyUsage, formatMoney } from './api';
import './style.css';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const TOKEN_KEY = 'switchyard.token';

function cell(text: string, numeric = false): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (numeric) td.className = 'num';
  return td;
}

function render(rows: DailyRow[]): void {
  const body = $<HTMLTableSectionElement>('rows');
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(r.day),
        cell(r.accountId),
        cell(r.model),
        cell(String(r.requests), true),
        cell(String(r.errors), true),
        cell(String(r.promptTokens), true),
        cell(String(r.completionTokens), true),
        cell(formatMoney(r.costMicros), true),
      );
      return tr;
    }),
  );
  const requests = rows.reduce((n, r) => n + r.requests, 0);
  const cost = rows.reduce((n, r) => n + r.costMicros, 0);
  $('totals').textContent = rows.length
    ? `${requests} requests, ${formatMoney(cost)} in total.`
    : 'No usage yet.';
}

async function show(token: string): Promise<void> {
  $('error').textContent = '';
  try {
    render(await fetchDailyUsage(token));
    sessionStorage.setItem(TOKEN_KEY, token);
    $('login').hidden = true;
    $('usage').hidden = false;
  } catch (err) {
    $('error').textContent = err instanceof ApiError ? err.message : 'The gateway could not be reached.';
  }
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  void show($<HTMLInputElement>('token').value.trim());
});
$('refresh').addEventListener('click', () => void show(sessionStorage.getItem(TOKEN_KEY) ?? ''));
$('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  $('usage').hidden = true;
  $('login').hidden = false;
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void show(saved);
