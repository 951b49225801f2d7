"""The pieces a networked command needs, built from the config file and the home folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent import paths
from agent.config import AgentConfig, load_config
from agent.transport import credentials
from agent.transport.client import CollectorClient
from agent.transport.spool import Spool


@dataclass
class AgentState:
    home: Path
    config: AgentConfig
    creds: credentials.Credentials | None

    @classmethod
    def load(cls, config_file: Path | None = None) -> AgentState:
        home = paths.ensure_dir(paths.home_dir())
        return cls(home, load_config(config_file), credentials.load(home))

    def spool(self) -> Spool:
        return Spool(
            self.home / "spool", self.config.spool.max_reports, self.config.spool.max_bytes
        )

    def client(self) -> CollectorClient:
        server = self.config.server
        if self.creds and not server.url:
            server = server.model_copy(update={"url": self.creds.server_url})
        return CollectorClient(server, self.creds.device_token if self.creds else None)
