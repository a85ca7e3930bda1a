// The agent's exit codes, for every command (a link's session, enrol, serve), in a module of their own: a service
// manager's unit (systemd/tether-agent.service) and the tests read them without the agent's WebRTC.

/**
 * Exit codes: the session ended as sessions do, the link cannot be used, or the session ended in a refusal or alarm;
 * `serve` cannot serve the machine until someone acts (no identity, the machine removed, unattended access off), which
 * a service manager must not answer by starting it again (client/agent/systemd/tether-agent.service).
 */
export const EXIT = { ended: 0, failed: 1, badLink: 2, cannotServe: 3 } as const;
