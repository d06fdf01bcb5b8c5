export * from './api';
export * from './dom';
export * from './i18n';
export * from './storage';
export * from './text';
export * from './ui';
export * from './ws';
export * from './pairing';
export type {
  Millis,
  Role,
  OperatorRole,
  QuorumRule,
  QuorumState,
  Congress,
  Delegate,
  AttendanceStatus,
  AttendanceSource,
  AttendanceRecord,
  AttendanceSummary,
  AgendaItem,
  Agenda,
  DeviceKind,
  KioskDirection,
  Device,
  OperatorInfo,
  JournalHead,
  LoginRequest,
  LoginResponse,
  SetAttendanceRequest,
  AttendanceAck,
  AttendanceList,
  CreatePairingCode,
  PairingCode,
  PairRequest,
  PairResponse,
  SetCurrentItem,
  AgendaAck,
  Me,
  ClientKind,
  ClientMsg,
  ServerMsg,
  Snapshot,
  Push,
  VoteInfo,
  VoteLive,
  BallotChoice,
  BallotAck,
  VoteResult,
  VoteCounts,
} from './protocol';
/** The `ApiError` JSON body (the class `ApiError` is the thrown error). */
export type { ApiError as ApiErrorBody } from './protocol';
