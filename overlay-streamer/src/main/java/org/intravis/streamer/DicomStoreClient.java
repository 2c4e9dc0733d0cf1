package org.intravis.streamer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Sends one DICOM file to a PACS or teaching-file archive with a C-STORE (DICOM PS3.7 9.1.1 over the upper layer
 * protocol of PS3.8): one association, one presentation context for the file's SOP class in the file's own transfer
 * syntax (nothing is re-encoded), the data set streamed from disk in P-DATA fragments of the archive's maximum length,
 * then the C-STORE response's status, and a release. The file is what {@link DicomCineWriter} writes (Part 10, with
 * its meta information, which is not sent). A refusal (the association, the transfer syntax, the store) is an
 * {@link IOException} that says which and why; the archive's word is final: nothing is retried here. Over TLS
 * ({@link DicomTls}) the same, after a handshake in which the archive proves who it is (and this side too, where
 * the archive asks); a failed handshake is a refusal that says what to fix, and nothing of the file is sent.
 */
public final class DicomStoreClient {
    private static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    /** This implementation's class UID (2.25: derived from a UUID) and version, announced in the association. */
    private static final String IMPLEMENTATION_CLASS = "2.25.160152386113592870375924655632402185735";
    private static final String IMPLEMENTATION_VERSION = "INTRAVIS_01";
    private static final int PRESENTATION_CONTEXT = 1;
    /** The largest P-DATA this side receives (responses are small) and sends when the archive sets no limit. */
    private static final int OWN_MAX_PDU = 64 * 1024;
    private static final int MAX_PDU_READ = 1 << 20;

    /** Where to send: the archive's AE title, host and port, and this side's AE title. */
    public record Destination(String calledAe, String host, int port, String callingAe) {
        public Destination {
            calledAe = aeTitle(calledAe, "the archive's AE title");
            callingAe = aeTitle(callingAe, "the calling AE title");
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("a host is needed");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not a TCP port");
            }
        }

        /** {@code AE@host:port}, e.g. {@code PACS@10.0.0.5:104}. */
        public static Destination parse(String spec, String callingAe) {
            int at = spec.indexOf('@');
            int colon = spec.lastIndexOf(':');
            if (at < 1 || colon < at + 2 || colon == spec.length() - 1) {
                throw new IllegalArgumentException("'" + spec + "' is not AE@host:port (e.g. PACS@10.0.0.5:104)");
            }
            int port;
            try {
                port = Integer.parseInt(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + spec + "': the port is not a number");
            }
            return new Destination(spec.substring(0, at), spec.substring(at + 1, colon), port, callingAe);
        }

        @Override
        public String toString() {
            return calledAe + "@" + host + ":" + port;
        }
    }

    /** What the archive answered: its status (0 success; 0xB000, 0xB006, 0xB007 stored with a warning). */
    public record Result(int status, long datasetBytes, double seconds) {
        public boolean warning() {
            return isWarning(status);
        }

        static boolean isWarning(int status) {
            return status == 0xB000 || status == 0xB006 || status == 0xB007;
        }
    }

    /**
     * A failure that may pass if the same file is sent again a little later: the archive not reachable, busy (a
     * transient refusal, "out of resources"), or the connection cut or silent; not a refusal of this file or of this
     * side (a permanent refusal, a transfer syntax or SOP class it does not take, a failure status), which would
     * only fail again. An archive keeps one copy per SOP instance, so a store repeated after a lost answer is safe.
     */
    public static final class TryAgainLater extends IOException {
        TryAgainLater(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The parts of a Part 10 file a C-STORE needs. */
    record PartTen(String sopClass, String sopInstance, String transferSyntax, long datasetOffset) { }

    private final Destination to;
    private final int timeoutMillis;
    private final DicomTls tls;

    /** Plain DICOM over TCP. */
    public DicomStoreClient(Destination to, int timeoutMillis) {
        this(to, timeoutMillis, null);
    }

    /** DICOM over TLS with {@code tls}; plain where it is null. */
    public DicomStoreClient(Destination to, int timeoutMillis, DicomTls tls) {
        this.to = to;
        this.timeoutMillis = timeoutMillis;
        this.tls = tls;
    }

    /**
     * {@link #send(Path)}, sent again after {@code waitMillis} up to {@code retries} times while the failure is one
     * that may pass ({@link TryAgainLater}); each such failure is told to {@code onRetry} before the wait. The last
     * failure says how many times it was tried.
     */
    public Result send(Path file, int retries, long waitMillis, Consumer<String> onRetry)
            throws IOException, InterruptedException {
        String wait = waitMillis % 1000 == 0 ? waitMillis / 1000 + " s" : waitMillis + " ms";
        for (int attempt = 1; ; attempt++) {
            try {
                return send(file);
            } catch (TryAgainLater e) {
                if (attempt > retries) {
                    throw attempt == 1 ? e
                            : new IOException(e.getMessage() + " (tried " + attempt + " times, " + wait + " apart)", e);
                }
                onRetry.accept(e.getMessage() + "; trying again in " + wait + " (" + attempt + " of " + (retries + 1)
                        + " tries)");
                Thread.sleep(waitMillis);
            }
        }
    }

    /** Stores {@code file} at the destination; returns the archive's status, or throws saying why it was not stored. */
    public Result send(Path file) throws IOException {
        long started = System.nanoTime();
        PartTen meta = readMeta(file);
        try (FileChannel data = FileChannel.open(file, StandardOpenOption.READ);
             Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(to.host(), to.port()), timeoutMillis);
            } catch (IOException e) {
                throw new TryAgainLater("cannot reach " + to + ": " + e.getMessage(), e);
            }
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            Socket link = tls == null ? socket : secured(socket);
            OutputStream out = link.getOutputStream();
            DataInputStream in = new DataInputStream(link.getInputStream());
            boolean associated = false;
            try (link) { // over TLS its close says close_notify, then closes the connection
                out.write(associateRequest(meta));
                out.flush();
                Accepted a = accepted(in);
                associated = true;
                if (a.result() != 0) {
                    release(out, in);
                    throw new IOException(to + " accepted the association but not the file's SOP class in its "
                            + "transfer syntax: " + contextRefusal(a.result(), meta));
                }
                int chunk = (a.maxPdu() == 0 ? OWN_MAX_PDU : Math.min(a.maxPdu(), 1 << 20)) - 6; // the PDV's 6 bytes
                if (chunk < 64) {
                    release(out, in);
                    throw new IOException(to + " takes P-DATA of at most " + a.maxPdu() + " bytes: too small to send");
                }
                sendCommand(out, commandSet(meta), chunk);
                long length = data.size() - meta.datasetOffset();
                streamDataset(out, data, meta.datasetOffset(), length, chunk);
                out.flush();
                int status = storeStatus(in);
                release(out, in);
                if (status != 0 && !Result.isWarning(status)) {
                    String why = to + " did not store " + file.getFileName() + ": status 0x"
                            + Integer.toHexString(status).toUpperCase(Locale.ROOT) + " (" + statusMeaning(status) + ")";
                    throw (status & 0xff00) == 0xa700 ? new TryAgainLater(why, null) : new IOException(why);
                }
                return new Result(status, length, (System.nanoTime() - started) / 1e9);
            } catch (SocketTimeoutException e) {
                throw new TryAgainLater(to + " did not answer within " + timeoutMillis / 1000 + " s", e);
            } catch (EOFException e) {
                throw new TryAgainLater(to + " closed the connection before it answered" + plainHint(associated), e);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(to.toString())) {
                    throw e;
                }
                String refusal = tls == null || associated ? null : tlsRefusal(e);
                if (refusal != null) {
                    throw new IOException(to + ": TLS refused: " + refusal, e);
                }
                throw new TryAgainLater(to + ": the connection failed while sending (" + e.getMessage() + ")"
                        + plainHint(associated), e);
            }
        }
    }

    /**
     * The TLS handshake on the open connection; its failure as what to fix: the archive's certificate not trusted
     * or not for this host, this side's certificate wanted or refused, or an archive that does not speak TLS there.
     * Not tried again (the same certificates fail the same way), except an archive that does not answer in time.
     */
    private Socket secured(Socket socket) throws IOException {
        try {
            return tls.wrap(socket, to.host());
        } catch (SocketTimeoutException e) {
            throw new TryAgainLater(to + " did not answer the TLS handshake within " + timeoutMillis / 1000 + " s", e);
        } catch (IOException e) {
            String refusal = tlsRefusal(e);
            // else cut in the handshake before any certificate was asked for: an archive reading the hello as DICOM
            throw new IOException(to + ": TLS handshake failed: " + (refusal != null ? refusal
                    : "it does not seem to speak TLS on this port (" + e.getMessage() + ")"), e);
        }
    }

    /** What a plain caller's connection cut before the association was answered may mean. */
    private String plainHint(boolean associated) {
        return tls == null && !associated
                ? " (an archive that takes DICOM over TLS only cuts a plain caller so: --tls)" : "";
    }

    /**
     * A failure in or just after the handshake as what to fix, or null where it says nothing of TLS (an ordinary
     * broken connection). The reason the failure names, where it names one; else, since under TLS 1.3 an archive
     * judges this side's certificate after the handshake has finished here and its refusal (an alert, then a closed
     * connection) may meet the handshake's last write or the association request, a connection cut then on an
     * archive that asked for this side's certificate is that refusal.
     */
    private String tlsRefusal(IOException e) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(' ').append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        String s = chain.toString();
        if (s.contains("PKIX path") || s.contains("unable to find valid certification path")) {
            return "its certificate is not trusted (not signed by a CA of --tls-trust, or of Java's trust store "
                    + "without it)";
        }
        if (s.contains("No subject alternative") || s.contains("No name matching")) {
            return "its certificate is not for this host (" + e.getMessage() + ")";
        }
        if (s.contains("Unsupported or unrecognized SSL message")) {
            return "it does not seem to speak TLS on this port (" + e.getMessage() + ")";
        }
        boolean certificateAlert = s.contains("certificate_required") || s.contains("bad_certificate")
                || s.contains("unknown_ca") || s.contains("certificate_unknown") || s.contains("access_denied");
        if (!certificateAlert && !tls.askedForOwnCertificate()) {
            return null;
        }
        return tls.showsOwnCertificate()
                ? "it did not accept this side's certificate (--tls-cert: is it signed by a CA the archive trusts?)"
                : "it wants this side's certificate: give one (--tls-cert, --tls-key)";
    }

    /** The SOP class and instance, transfer syntax and where the data set starts, from a Part 10 file's meta group. */
    static PartTen readMeta(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 64 * 1024)).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // read the head of the file
            }
            b.flip();
            if (b.limit() < 132 || b.get(128) != 'D' || b.get(129) != 'I' || b.get(130) != 'C' || b.get(131) != 'M') {
                throw new IOException(file + " is not a DICOM Part 10 file (no DICM after the preamble)");
            }
            String sopClass = null;
            String sopInstance = null;
            String syntax = null;
            int at = 132;
            while (at + 8 <= b.limit() && (b.getShort(at) & 0xffff) == 0x0002) {
                int element = b.getShort(at + 2) & 0xffff;
                String vr = new String(new byte[] {b.get(at + 4), b.get(at + 5)}, StandardCharsets.US_ASCII);
                boolean longForm = vr.equals("OB") || vr.equals("OW") || vr.equals("UN") || vr.equals("SQ")
                        || vr.equals("UT") || vr.equals("UC") || vr.equals("UR");
                long len = longForm ? b.getInt(at + 8) & 0xffffffffL : b.getShort(at + 6) & 0xffff;
                int value = at + (longForm ? 12 : 8);
                if (value + len > b.limit()) {
                    throw new IOException(file + ": its meta information is cut off or damaged");
                }
                String text = vr.equals("UI") ? uid(b, value, (int) len) : null;
                switch (element) {
                    case 0x0002 -> sopClass = text;
                    case 0x0003 -> sopInstance = text;
                    case 0x0010 -> syntax = text;
                    default -> { }
                }
                at = (int) (value + len);
            }
            if (sopClass == null || sopInstance == null || syntax == null) {
                throw new IOException(file + ": its meta information lacks the SOP class, instance or transfer syntax");
            }
            return new PartTen(sopClass, sopInstance, syntax, at);
        }
    }

    private static String uid(ByteBuffer b, int at, int len) {
        byte[] v = new byte[len];
        b.get(at, v);
        return new String(v, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    private byte[] associateRequest(PartTen meta) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        item(items, 0x10, ascii(APPLICATION_CONTEXT));
        ByteArrayOutputStream pc = new ByteArrayOutputStream();
        pc.write(PRESENTATION_CONTEXT);
        pc.write(0);
        pc.write(0);
        pc.write(0);
        item(pc, 0x30, ascii(meta.sopClass()));
        item(pc, 0x40, ascii(meta.transferSyntax()));
        item(items, 0x20, pc.toByteArray());
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(OWN_MAX_PDU).array());
        item(user, 0x52, ascii(IMPLEMENTATION_CLASS));
        item(user, 0x55, ascii(IMPLEMENTATION_VERSION));
        item(items, 0x50, user.toByteArray());
        byte[] variable = items.toByteArray();
        ByteBuffer pdu = ByteBuffer.allocate(6 + 68 + variable.length);
        pdu.put((byte) 0x01).put((byte) 0).putInt(68 + variable.length);
        pdu.putShort((short) 1).putShort((short) 0);
        pdu.put(padded(to.calledAe())).put(padded(to.callingAe()));
        pdu.put(new byte[32]);
        pdu.put(variable);
        return pdu.array();
    }

    /** The archive's answer to the presentation context (0 accepted) and its maximum P-DATA length (0: none). */
    private record Accepted(int result, int maxPdu) { }

    /** Reads the answer to the association request. */
    private Accepted accepted(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        byte[] body = body(in);
        if (type == 0x03) {
            String why = to + " refused the association: " + rejection(body);
            throw body.length >= 2 && (body[1] & 0xff) == 2 ? new TryAgainLater(why, null) : new IOException(why);
        }
        if (type == 0x07) {
            throw new TryAgainLater(to + " aborted the association" + abortReason(body), null);
        }
        if (type != 0x02 || body.length < 68) {
            throw new IOException(to + " answered the association request with PDU type " + type);
        }
        int maxPdu = 0;
        int result = -1;
        ByteBuffer b = ByteBuffer.wrap(body);
        b.position(68);
        while (b.remaining() >= 4) {
            int itemType = b.get() & 0xff;
            b.get();
            int len = b.getShort() & 0xffff;
            if (len > b.remaining()) {
                break;
            }
            int start = b.position();
            if (itemType == 0x21 && len >= 4 && (b.get(start) & 0xff) == PRESENTATION_CONTEXT) {
                result = b.get(start + 2) & 0xff;
            } else if (itemType == 0x50) {
                for (int s = start; s + 4 <= start + len; ) {
                    int subType = b.get(s) & 0xff;
                    int subLen = b.getShort(s + 2) & 0xffff;
                    if (subType == 0x51 && subLen == 4 && s + 8 <= start + len) {
                        maxPdu = Math.max(0, b.getInt(s + 4));
                    }
                    s += 4 + subLen;
                }
            }
            b.position(start + len);
        }
        return new Accepted(result, maxPdu);
    }

    private static String contextRefusal(int result, PartTen meta) {
        return switch (result) {
            case 1 -> "refused by the archive";
            case 3 -> "it does not store this SOP class (" + meta.sopClass() + ")";
            case 4 -> "it does not take the transfer syntax " + meta.transferSyntax()
                    + " (a JPEG-compressed file cannot go to an archive that takes uncompressed files only)";
            case -1 -> "its answer named no presentation context";
            default -> "no reason given";
        };
    }

    private static String rejection(byte[] body) {
        if (body.length < 4) {
            return "no reason given";
        }
        int result = body[1] & 0xff;
        int source = body[2] & 0xff;
        int reason = body[3] & 0xff;
        String why = source == 1 ? switch (reason) {
            case 2 -> "application context not supported";
            case 3 -> "calling AE title not recognised (the archive must know this AE title)";
            case 7 -> "called AE title not recognised (check the archive's AE title)";
            default -> "no reason given";
        } : source == 3 ? switch (reason) {
            case 1 -> "temporary congestion";
            case 2 -> "local limit exceeded";
            default -> "no reason given";
        } : "protocol version not supported";
        return why + (result == 2 ? " (transient: try again later)" : " (permanent)");
    }

    private static String abortReason(byte[] body) {
        return body.length >= 4 && (body[2] & 0xff) == 2 ? " (protocol error, reason " + (body[3] & 0xff) + ")" : "";
    }

    /** The C-STORE-RQ command set, Implicit VR Little Endian (PS3.7 E.1). */
    private static byte[] commandSet(PartTen meta) {
        ByteArrayOutputStream elements = new ByteArrayOutputStream();
        element(elements, 0x0002, uidValue(meta.sopClass()));
        element(elements, 0x0100, ushort(0x0001));          // C-STORE-RQ
        element(elements, 0x0110, ushort(1));               // message id
        element(elements, 0x0700, ushort(0));               // priority: medium
        element(elements, 0x0800, ushort(0x0000));          // a data set follows
        element(elements, 0x1000, uidValue(meta.sopInstance()));
        byte[] rest = elements.toByteArray();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        element(all, 0x0000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(rest.length).array());
        all.writeBytes(rest);
        return all.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int element, byte[] value) {
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) 0).putShort((short) element).putInt(value.length);
        out.writeBytes(h.array());
        out.writeBytes(value);
    }

    private static byte[] ushort(int v) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
    }

    private static byte[] uidValue(String uid) {
        byte[] a = ascii(uid);
        return a.length % 2 == 0 ? a : java.util.Arrays.copyOf(a, a.length + 1); // padded with NUL to even length
    }

    /** The command set in P-DATA fragments of at most {@code chunk} bytes, the last one flagged. */
    private static void sendCommand(OutputStream out, byte[] command, int chunk) throws IOException {
        for (int at = 0; at < command.length; at += chunk) {
            int n = Math.min(chunk, command.length - at);
            pdvHeader(out, n, true, at + n >= command.length);
            out.write(command, at, n);
        }
    }

    private void streamDataset(OutputStream out, FileChannel data, long offset, long length, int chunk)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(chunk);
        long sent = 0;
        do {
            int n = (int) Math.min(chunk, length - sent);
            buf.clear().limit(n);
            while (buf.hasRemaining()) {
                if (data.read(buf, offset + sent + buf.position()) < 0) {
                    throw new IOException(to + ": the file ended while it was being sent (changed meanwhile?)");
                }
            }
            pdvHeader(out, n, false, sent + n >= length);
            out.write(buf.array(), 0, n);
            sent += n;
        } while (sent < length);
    }

    private static void pdvHeader(OutputStream out, int n, boolean command, boolean last) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(12);
        h.put((byte) 0x04).put((byte) 0).putInt(n + 6);                    // P-DATA-TF and its length
        h.putInt(n + 2).put((byte) PRESENTATION_CONTEXT)                    // the PDV item
                .put((byte) ((command ? 1 : 0) | (last ? 2 : 0)));
        out.write(h.array());
    }

    /** Reads P-DATA until the response's command set is whole; returns its Status (0000,0900). */
    private int storeStatus(DataInputStream in) throws IOException {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        while (true) {
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            byte[] body = body(in);
            if (type == 0x07) {
                throw new TryAgainLater(to + " aborted the association before it answered the store" + abortReason(body),
                        null);
            }
            if (type != 0x04) {
                throw new IOException(to + " answered the store with PDU type " + type);
            }
            ByteBuffer b = ByteBuffer.wrap(body);
            boolean last = false;
            while (b.remaining() >= 6) {
                int len = b.getInt();
                if (len < 2 || len > b.remaining()) {
                    throw new IOException(to + " sent a malformed P-DATA item");
                }
                b.get(); // presentation context
                int control = b.get() & 0xff;
                byte[] part = new byte[len - 2];
                b.get(part);
                if ((control & 1) == 1) {
                    command.writeBytes(part);
                    last |= (control & 2) == 2;
                }
            }
            if (last) {
                break;
            }
        }
        ByteBuffer c = ByteBuffer.wrap(command.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        while (c.remaining() >= 8) {
            int group = c.getShort() & 0xffff;
            int element = c.getShort() & 0xffff;
            int len = c.getInt();
            if (len < 0 || len > c.remaining()) {
                break;
            }
            if (group == 0 && element == 0x0900 && len == 2) {
                return c.getShort() & 0xffff;
            }
            c.position(c.position() + len);
        }
        throw new IOException(to + " answered the store without a status");
    }

    private static void release(OutputStream out, DataInputStream in) throws IOException {
        out.write(new byte[] {0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0});
        out.flush();
        try {
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            body(in);
            if (type != 0x06) {
                return; // the store's answer is what counts; a release answered otherwise changes nothing
            }
        } catch (IOException e) {
            // the same: the archive may close the connection instead of answering the release
        }
    }

    private static byte[] body(DataInputStream in) throws IOException {
        long len = in.readInt() & 0xffffffffL;
        if (len > MAX_PDU_READ) {
            throw new IOException("the archive sent a PDU of " + len + " bytes");
        }
        byte[] b = new byte[(int) len];
        in.readFully(b);
        return b;
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] padded(String ae) {
        byte[] b = new byte[16];
        java.util.Arrays.fill(b, (byte) ' ');
        byte[] a = ascii(ae);
        System.arraycopy(a, 0, b, 0, a.length);
        return b;
    }

    private static String aeTitle(String ae, String what) {
        if (ae == null || ae.isBlank() || ae.length() > 16
                || !ae.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '\\')) {
            throw new IllegalArgumentException(what + " '" + ae + "' must be 1-16 printable ASCII characters");
        }
        return ae.trim();
    }

    private static String statusMeaning(int status) {
        if (status == 0x0122) {
            return "the archive does not store this SOP class";
        }
        if (status == 0x0124) {
            return "not authorised";
        }
        return switch (status >> 12) {
            case 0xA -> (status & 0xFF00) == 0xA700 ? "out of resources" : (status & 0xFF00) == 0xA900
                    ? "the data set does not match the SOP class" : "refused";
            case 0xC -> "cannot understand";
            default -> "failure";
        };
    }
}
