import { errorWords, type Lang } from '../i18n.js';
import type { RmTaskKind, TaskKind } from '../types.js';

/** The relationship-manager screens' own words (zh and en); shared labels (tiers, dispositions, case words) come from i18n.ts. */
export const RM_LABELS = {
  en: {
    title: 'My clients', work: 'My work', phone: 'Phone console', calls: "Your clients' calls", noCalls: 'None of your clients has called since you signed in.',
    called: 'called', tookIt: 'taken by', reasons: 'Reasons', outcome: 'Outcome', worklist: 'Worklist', noTasks: 'Nothing on your list.', cases: "Your clients' open cases", noCases: 'No open cases.',
    kind: 'Task', client: 'Client', purpose: 'Purpose', due: 'Due', actions: '', callClient: 'Call the client', calling: 'Call placed: it rings you first', done: 'Done',
    caseNo: 'Case', category: 'Category', status: 'Status', owner: 'Owner', slaDue: 'SLA due', atRisk: 'at risk', nobody: '(nobody)', refresh: 'Refresh',
    reminder: 'Reminder', assigned: 'New task for you', dismiss: 'Dismiss', satisfaction: 'Satisfaction', choose: '(choose)',
    book: 'Book for the relationship manager', bookKind: 'Task', bookDue: 'When', bookPurpose: 'Purpose', bookSubmit: 'Book', booked: 'Booked for the relationship manager',
    kinds: { callback: 'Call back', visit: 'Visit', retention: 'Retention', follow_up: 'Follow-up', feedback: 'Tell the customer the result' } as Record<TaskKind, string>,
    errors: {
      SB_ERR_TASK_CONFLICT: "That time clashes with another of the relationship manager's tasks: choose another",
      SB_ERR_RM_NONE: 'This customer has no relationship manager',
      SB_ERR_TASK_TIME_INVALID: 'The time must be in the future',
      SB_ERR_TASK_CALL_INVALID: 'A call for this task is already under way, or it is done',
      SB_ERR_RM_CLIENT_INVALID: 'Not one of your clients',
    } as Record<string, string>,
  },
  zh: {
    title: '我的客户', work: '我的工作', phone: '电话工作台', calls: '客户来电', noCalls: '登录以来您的客户没有来电。',
    called: '来电', tookIt: '接听人', reasons: '来电原因', outcome: '处理结果', worklist: '待办清单', noTasks: '暂无待办。', cases: '客户的未结工单', noCases: '暂无未结工单。',
    kind: '任务', client: '客户', purpose: '目的', due: '时间', actions: '', callClient: '致电客户', calling: '已发起呼叫：先接通您', done: '完成',
    caseNo: '工单号', category: '类别', status: '状态', owner: '处理人', slaDue: '处理时限', atRisk: '有超时风险', nobody: '（无）', refresh: '刷新',
    reminder: '提醒', assigned: '您有新任务', dismiss: '知道了', satisfaction: '满意度', choose: '（请选择）',
    book: '为客户经理预约', bookKind: '任务', bookDue: '时间', bookPurpose: '目的', bookSubmit: '预约', booked: '已为客户经理预约',
    kinds: { callback: '回电', visit: '拜访', retention: '挽留', follow_up: '跟进', feedback: '回访告知处理结果' } as Record<TaskKind, string>,
    errors: {
      SB_ERR_TASK_CONFLICT: '该时间与客户经理的其他任务冲突，请另选时间',
      SB_ERR_RM_NONE: '该客户没有客户经理',
      SB_ERR_TASK_TIME_INVALID: '时间必须在将来',
      SB_ERR_TASK_CALL_INVALID: '该任务已有呼叫在进行中，或已完成',
      SB_ERR_RM_CLIENT_INVALID: '不是您的客户',
    } as Record<string, string>,
  },
};

export const RM_KINDS: readonly RmTaskKind[] = ['callback', 'visit', 'retention'];

/** A refusal in these screens' words when they have some, else the console's. */
export function rmErrorWords(lang: Lang, t: Parameters<typeof errorWords>[0], err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  const own = code ? RM_LABELS[lang].errors[code] : undefined;
  return own ? `${own} (${code})` : errorWords(t, err);
}
