/**
 * One typed function per route of docs/api.md. Stores call these; nothing else talks HTTP.
 */
import { http } from './client';
import type {
  Activation,
  AuditPage,
  AuditQuery,
  AuditVerification,
  CertificateRequest,
  Certificate,
  ConnectionTest,
  IssuedCertificate,
  Items,
  L1Config,
  L1ConfigInput,
  L1State,
  LoginRequest,
  LoginResponse,
  Notification,
  RevocationReason,
  Service,
  ServiceDetail,
  Snippets,
  Tenant,
  Usage,
  User,
} from './types';

export { ApiError, configureClient, type Download } from './client';
export type * from './types';
export { DIAGNOSTIC_STEPS } from './types';

const seg = encodeURIComponent;

export const authApi = {
  login: (body: LoginRequest) => http.post<LoginResponse>('/api/auth/login', body),
  me: () => http.get<User>('/api/me'),
  changePassword: (currentPassword: string, newPassword: string) => http.post<void>('/api/me/password', { currentPassword, newPassword }),
};

export const tenantApi = {
  get: () => http.get<Tenant>('/api/tenant'),
};

export const l1Api = {
  state: () => http.get<L1State>('/api/l1'),
  configs: () => http.get<Items<L1Config>>('/api/l1/configs'),
  config: (id: string) => http.get<L1Config>(`/api/l1/configs/${seg(id)}`),
  createConfig: (input: L1ConfigInput) => http.post<L1Config>('/api/l1/configs', input),
  deleteConfig: (id: string) => http.delete(`/api/l1/configs/${seg(id)}`),
  startTest: (id: string) => http.post<{ testId: string }>(`/api/l1/configs/${seg(id)}/tests`),
  testRun: (id: string, testId: string) => http.get<ConnectionTest>(`/api/l1/configs/${seg(id)}/tests/${seg(testId)}`),
  activate: (id: string) => http.post<{ workflowId: string; runId?: string }>(`/api/l1/configs/${seg(id)}/activate`),
  activation: () => http.get<Activation>('/api/l1/activation'),
  rotate: (confirm: string) => http.post<{ l2Version: number }>('/api/l1/rotate', { confirm }),
  revoke: (confirm: string, reason: string) => http.post<{ status: 'revoked' }>('/api/l1/revoke', { confirm, reason }),
};

export const servicesApi = {
  list: () => http.get<Items<Service>>('/api/services'),
  get: (serviceId: string) => http.get<ServiceDetail>(`/api/services/${seg(serviceId)}`),
  create: (body: { serviceId: string; description?: string }) => http.post<Service>('/api/services', body),
  issueCertificate: (serviceId: string, body: CertificateRequest) =>
    http.post<IssuedCertificate>(`/api/services/${seg(serviceId)}/certificates`, body),
  /** The bundle provisioning generated for the service (default `mongodb`), handed over once. */
  bundle: (serviceId: string) => http.post<IssuedCertificate>(`/api/services/${seg(serviceId)}/bundle`),
  revokeCertificate: (serviceId: string, serial: string, reason?: RevocationReason) =>
    http.post<Certificate>(`/api/services/${seg(serviceId)}/certificates/${seg(serial)}/revoke`, reason ? { reason } : {}),
  snippets: (serviceId: string) => http.get<Snippets>(`/api/services/${seg(serviceId)}/snippets`),
};

export const auditApi = {
  list: (query: AuditQuery) => http.get<AuditPage>('/api/audit', { ...query }),
  export: (query: AuditQuery, format: 'csv' | 'json') =>
    http.download('/api/audit/export', { ...query, cursor: undefined, limit: undefined, format }, `audit.${format}`),
  verify: () => http.get<AuditVerification>('/api/audit/verify'),
};

export const notificationsApi = {
  list: () => http.get<Items<Notification>>('/api/notifications'),
  markRead: (id: string) => http.post<void>(`/api/notifications/${seg(id)}/read`),
  markAllRead: () => http.post<{ marked: number }>('/api/notifications/read-all'),
};

export const usageApi = {
  get: (minutes: number) => http.get<Usage>('/api/usage', { minutes }),
};
