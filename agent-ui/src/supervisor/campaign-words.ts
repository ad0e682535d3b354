import type { EXCLUDED_REASONS, LINE_PROBLEMS } from '../../../server/modules/campaigns/campaigns-schemas.js';
import { ApiError } from '../api.js';
import { useI18n } from '../i18n.js';
import type { CampaignEntry, ErrorCode } from '../types.js';

type Reason = (typeof EXCLUDED_REASONS)[number];
type LineProblem = (typeof LINE_PROBLEMS)[number];
type Outcome = 'human' | 'machine' | 'busy' | 'no_answer' | 'failed' | 'abandoned' | 'lost' | 'blocked' | 'skipped' | 'canceled';

// The Campaigns tab's own words; the shared ones (purposes, states, modes, tiers, products, dispositions) come from i18n.ts.
const en = {
  title: 'Campaigns', newCampaign: 'New campaign', loading: 'Loading…', none: 'No campaign yet: create one with "New campaign".',
  name: 'Name', purpose: 'Purpose', mode: 'Dialing mode', state: 'State', window: 'Calling window', listSize: 'On list',
  more: 'Show more', actionsOf: (name: string) => `Actions: ${name}`,
  progress: 'Progress', excludedCount: 'Excluded', blocked: 'Refused by the check', agentConnected: 'Put through to an agent', dialsPerMinute: 'Dials per minute (5 min)',
  pacing: 'Pacing ratio',
  // The form
  callerId: 'Caller ID', callerIdHint: 'The number customers see, in E.164 (e.g. +864008895555).', skill: 'Agents of skill', outboundTeam: 'Outbound team (outbound)',
  script: 'Script', scriptHint: 'Shown to the agent when the customer answers.', offer: 'Offer (optional: leave empty for a service call)',
  offerCode: 'Offer code', offerTitle: 'Offer title', offerTerms: 'Offer terms',
  windowStart: 'Calling window from', windowEnd: 'Calling window to', windowHint: 'In each customer\'s own time zone.', customerTime: 'customer\'s local time',
  cps: 'Calls per second', maxAttempts: 'Max attempts per customer', ring: 'Ring time (seconds, at least 15)',
  machine: 'Answering machine', machineActions: { hangup: 'Hang up', voicemail: 'Leave a voicemail' },
  voicemail: 'Voicemail message', voicemailHint: 'Empty: the bank\'s name and that it will call again.',
  abandonCap: 'Max abandon rate (%)', abandonHint: 'Predictive pacing keeps calls answered with no agent free within 2 s under this share of the people reached.',
  scheduleStart: 'Schedule start (optional)', scheduleEnd: 'Schedule end (optional)', scheduleHint: 'Bank time (Beijing). Without a start, the campaign runs as soon as it is started.',
  create: 'Create campaign', closeForm: 'Close the form',
  created: (name: string) => `"${name}" created as a draft: add customers to its call list, then start it.`,
  // A campaign's details
  settings: 'Settings', callsPerSecond: (n: number) => `${n} calls/s`, attempts: (n: number) => `at most ${n} attempts`, ringFor: (s: number) => `rings ${s} s`,
  abandonAt: (p: string) => `abandon cap ${p}`, schedule: 'Schedule', anytime: 'When started', noScript: '(no script)',
  actions: { start: 'Start', pause: 'Pause', resume: 'Resume', cancel: 'Cancel campaign' },
  confirmCancel: (name: string) => `Cancel "${name}"? It stops dialling for good.`, closed: 'The campaign is over: its call list is closed.',
  // Its call list
  addTitle: 'Add to the call list', segment: 'From a segment', tiers: 'Tiers', holds: 'Holds all of', notHolds: 'Holds none of', multiHint: 'Ctrl/⌘-click to choose several.',
  churn: 'Churn risk', churnAny: 'Any', churnYes: 'At risk', churnNo: 'Not at risk', regions: 'Regions (comma separated)', lastContact: 'No contact since',
  addSegment: 'Add the segment', csv: 'From a CSV file', csvFile: 'CSV file', upload: 'Upload CSV',
  csvHint: 'A header row naming customer_no or customer_id, and optionally phone. Bad lines are reported by number; the good ones are kept.',
  scrubHint: 'Every customer is checked against do-not-call, marketing consent (marketing and retention) and recent calls by other campaigns; duplicates are skipped.',
  result: 'List result', rows: 'Rows read', added: 'Added', duplicates: 'Already on the list', excluded: 'Of those added, never dialled',
  badLines: (n: number) => `${n} bad line${n === 1 ? '' : 's'}`, line: 'Line', problem: 'Problem', firstOf: (shown: number, all: number) => `The first ${shown} of ${all}.`,
  reasons: { do_not_call: 'Do not call', no_consent: 'No marketing consent', recent_contact: 'Called recently by another campaign', no_phone: 'No phone number', bad_timezone: 'Unknown time zone' } satisfies Record<Reason, string>,
  lineProblems: { key_malformed: 'Customer number missing or malformed', customer_not_found: 'No such customer', phone_invalid: 'Not a valid phone number', csv_malformed: 'Unreadable CSV line (an unclosed quote, or not as many fields as the header)' } satisfies Record<LineProblem, string>,
  entries: 'Call list', show: 'Show entries', all: 'All', customer: 'Customer', phone: 'Phone', attempts_: 'Attempts', lastOutcome: 'Last outcome',
  nextAttempt: 'Next attempt', because: 'Excluded because', csvLine: 'CSV line', empty: 'Nobody on the list yet.', firstPage: 'First page', nextPage: 'Next page', refresh: 'Refresh',
  entryStates: { pending: 'To dial', dialing: 'Dialling', done: 'Done', excluded: 'Excluded' } satisfies Record<CampaignEntry['state'], string>,
  outcomes: {
    human: 'Person', machine: 'Machine', busy: 'Busy', no_answer: 'No answer', failed: 'Failed', abandoned: 'Abandoned', lost: 'Lost', blocked: 'Blocked by the check',
    skipped: 'Skipped', canceled: 'Cancelled',
  } satisfies Record<Outcome, string>,
  errors: {
    SB_ERR_CAMPAIGN_INVALID: 'The settings do not fit together',
    SB_ERR_CAMPAIGN_STATE_INVALID: 'Not possible in the campaign\'s state',
    SB_ERR_CAMPAIGN_NOT_FOUND: 'No such campaign',
    SB_ERR_CAMPAIGN_CSV_INVALID: 'The CSV needs a header naming customer_no or customer_id',
    SB_ERR_REQUEST_INVALID: 'A value is not accepted',
    SB_ERR_REQUEST_TOO_LARGE: 'The file is too large',
  } as Partial<Record<ErrorCode, string>>,
};
export type CampaignWords = typeof en;

const zh: CampaignWords = {
  title: '外呼活动', newCampaign: '新建外呼活动', loading: '加载中…', none: '暂无外呼活动，请点击"新建外呼活动"。',
  name: '名称', purpose: '外呼目的', mode: '拨号方式', state: '状态', window: '呼叫时段', listSize: '名单',
  more: '显示更多', actionsOf: (name: string) => `操作：${name}`,
  progress: '进度', excludedCount: '已排除', blocked: '合规检查拦截', agentConnected: '接通坐席', dialsPerMinute: '每分钟拨号（5 分钟）',
  pacing: '拨号倍率',
  callerId: '主叫号码', callerIdHint: '客户看到的号码，E.164 格式（如 +864008895555）。', skill: '坐席技能组', outboundTeam: '外呼组（outbound）',
  script: '话术', scriptHint: '客户接听后展示给坐席。', offer: '推荐产品（可选；服务类外呼留空）',
  offerCode: '产品代码', offerTitle: '产品名称', offerTerms: '产品条款',
  windowStart: '呼叫时段开始', windowEnd: '呼叫时段结束', windowHint: '按每位客户所在时区的当地时间。', customerTime: '客户当地时间',
  cps: '每秒呼叫数', maxAttempts: '每位客户最多尝试次数', ring: '振铃时长（秒，不少于 15）',
  machine: '答录机处理', machineActions: { hangup: '挂断', voicemail: '留言' },
  voicemail: '留言内容', voicemailHint: '留空：播报银行名称并告知稍后再联系。',
  abandonCap: '最高放弃率（%）', abandonHint: '预测式拨号保证“接通后 2 秒内无坐席”的呼叫占真人接听的比例不超过此值。',
  scheduleStart: '计划开始（可选）', scheduleEnd: '计划结束（可选）', scheduleHint: '按北京时间（银行时间）。不设开始时间则启动后立即外呼。',
  create: '创建外呼活动', closeForm: '关闭表单',
  created: (name: string) => `“${name}”已创建为草稿：请先添加呼叫名单，再启动。`,
  settings: '设置', callsPerSecond: (n: number) => `每秒 ${n} 通`, attempts: (n: number) => `最多 ${n} 次`, ringFor: (s: number) => `振铃 ${s} 秒`,
  abandonAt: (p: string) => `放弃率上限 ${p}`, schedule: '计划', anytime: '启动即开始', noScript: '（无话术）',
  actions: { start: '启动', pause: '暂停', resume: '恢复', cancel: '取消活动' },
  confirmCancel: (name: string) => `确定取消“${name}”？取消后不再外呼。`, closed: '活动已结束，名单不可再添加。',
  addTitle: '添加呼叫名单', segment: '按客户细分', tiers: '客户等级', holds: '持有以下全部产品', notHolds: '未持有以下任一产品', multiHint: '按住 Ctrl/⌘ 可多选。',
  churn: '流失风险', churnAny: '不限', churnYes: '有流失风险', churnNo: '无流失风险', regions: '地区（逗号分隔）', lastContact: '此日期起无接触',
  addSegment: '添加细分客户', csv: '上传 CSV 文件', csvFile: 'CSV 文件', upload: '上传 CSV',
  csvHint: '首行为表头，含 customer_no 或 customer_id，可选 phone。错误行按行号报告，正确的行照常导入。',
  scrubHint: '每位客户均核对勿扰名单、营销授权（营销及挽留类）和其他活动的近期外呼，并按客户去重。',
  result: '名单导入结果', rows: '读取行数', added: '新增', duplicates: '已在名单中', excluded: '新增中不拨打的',
  badLines: (n: number) => `${n} 行有误`, line: '行号', problem: '问题', firstOf: (shown: number, all: number) => `仅显示前 ${shown} 条（共 ${all} 条）。`,
  reasons: { do_not_call: '勿扰', no_consent: '无营销授权', recent_contact: '近期已被其他活动呼叫', no_phone: '无电话号码', bad_timezone: '时区无效' },
  lineProblems: { key_malformed: '客户号缺失或格式有误', customer_not_found: '查无此客户', phone_invalid: '电话号码无效', csv_malformed: 'CSV 行无法读取（引号未闭合或字段数与表头不符）' },
  entries: '呼叫名单', show: '显示名单', all: '全部', customer: '客户号', phone: '电话', attempts_: '尝试次数', lastOutcome: '最近结果',
  nextAttempt: '下次拨打', because: '排除原因', csvLine: 'CSV 行号', empty: '名单为空。', firstPage: '首页', nextPage: '下一页', refresh: '刷新',
  entryStates: { pending: '待拨', dialing: '拨号中', done: '已完成', excluded: '已排除' },
  outcomes: {
    human: '真人接听', machine: '答录机', busy: '占线', no_answer: '无人接听', failed: '失败', abandoned: '放弃', lost: '丢失', blocked: '合规检查拦截',
    skipped: '跳过', canceled: '已取消',
  },
  errors: {
    SB_ERR_CAMPAIGN_INVALID: '设置相互矛盾',
    SB_ERR_CAMPAIGN_STATE_INVALID: '活动当前状态下不能执行此操作',
    SB_ERR_CAMPAIGN_NOT_FOUND: '活动不存在',
    SB_ERR_CAMPAIGN_CSV_INVALID: 'CSV 表头须包含 customer_no 或 customer_id',
    SB_ERR_REQUEST_INVALID: '有字段取值无效',
    SB_ERR_REQUEST_TOO_LARGE: '文件过大',
  },
};
const LABELS = { en, zh };

/** The shared dictionary and this tab's words, in the chosen language. */
export function useCampaignWords() {
  const { t, lang } = useI18n();
  return { t, w: LABELS[lang] as CampaignWords, lang };
}

/** A failure as the supervisor reads it: our words for the code, then the server's code and message (which says which field). */
export function errorText(w: CampaignWords, err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  const lead = w.errors[err.code as ErrorCode];
  return `${lead ? `${lead}: ` : ''}${err.message} (${err.code})`;
}

export const outcomeName = (w: CampaignWords, o: string | null) => (o === null ? '–' : w.outcomes[o as Outcome] ?? o);
export const reasonName = (w: CampaignWords, r: string) => w.reasons[r as Reason] ?? r;
