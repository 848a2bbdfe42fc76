package dynamos.generate;

import dynamos.host.HostException;

/** An update cannot be made from the patch as planned; the message says what stands in the way. */
public class GenerateException extends HostException {
    public GenerateException(String message) {
        super(message);
    }
}
