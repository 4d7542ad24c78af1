"""A TCP forwarder that a test can cut and restore: the application talks to PostgreSQL or Redis
through it, and a cut looks to the application like the server going away (its connections are
closed, new ones are accepted and closed at once), without touching the real server, which other
tests and people use."""

import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target` (host, port) until cut(); restore() forwards again."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.open = True
        self.connections = set()
        self.closed = False
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def url(self, scheme, path=""):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def cut(self):
        """The server goes away: live connections are broken, new ones closed at once."""
        with self.lock:
            self.open = False
            connections, self.connections = self.connections, set()
        for connection in connections:
            _close(connection)

    def restore(self):
        with self.lock:
            self.open = True

    def close(self):
        self.closed = True
        self.cut()
        _close(self.listener)
        self.accepting.join(timeout=5)

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target) if self.open else None
            except OSError:
                server = None
            with self.lock:
                forward = self.open and server is not None
                if forward:
                    self.connections.update((client, server))
            if not forward:
                for sock in (client, server):
                    if sock is not None:
                        _close(sock)
                continue
            for source, destination in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, destination), daemon=True).start()


def _pump(source, destination):
    try:
        while chunk := source.recv(65536):
            destination.sendall(chunk)
    except OSError:
        pass
    finally:
        _close(source)
        _close(destination)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
