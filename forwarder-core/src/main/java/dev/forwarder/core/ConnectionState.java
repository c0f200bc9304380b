package dev.forwarder.core;

/** Where one relayed connection is in its life. Moves forward only (see {@link ConnectionSnapshot#state()}). */
public enum ConnectionState {
    /** Accepted; choosing a backend and connecting, possibly on a second or third try. */
    CONNECTING,
    /** Both sides connected; bytes flow both ways. */
    OPEN,
    /** The client finished sending (FIN passed on); the backend's answer still flows to the client. */
    CLIENT_DONE,
    /** The backend finished sending (FIN passed on); the client's bytes still flow to the backend. */
    BACKEND_DONE,
    /** Both directions ended, or a timeout or error ended the connection: the channels are closing. */
    CLOSING,
    /** Both channels are closed and the connection has been accounted for. */
    CLOSED
}
