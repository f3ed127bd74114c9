// Prints, for each certificate file given, what the Java SDK hashes into a certificate SN:
// X500Principal.getName() of the issuer (RFC 2253) and the decimal serial number, then the MD5.
// Blocks are parsed one by one, as the Java SDK does, so an SM2 block Java cannot read is reported and
// skipped. Run with `java tests/vectors/CertSn.java FILE...` (single-file source launch, JDK 11+).
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;

public class CertSn {
    public static void main(String[] args) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (String path : args) {
            String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.ISO_8859_1);
            String[] blocks = text.split("-----END CERTIFICATE-----");
            for (int i = 0; i < blocks.length; i++) {
                int start = blocks[i].indexOf("-----BEGIN CERTIFICATE-----");
                if (start < 0) continue;
                byte[] pem = (blocks[i].substring(start) + "-----END CERTIFICATE-----\n").getBytes(StandardCharsets.ISO_8859_1);
                X509Certificate cert;
                try {
                    cert = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(pem));
                } catch (Exception e) {
                    System.out.println(path + "\t#" + (i + 1) + "\tunparsed\t-\t" + e.getMessage());
                    continue;
                }
                {
                    String name = cert.getIssuerX500Principal().getName();
                    String hashed = name + cert.getSerialNumber();
                    byte[] md5 = MessageDigest.getInstance("MD5").digest(hashed.getBytes(StandardCharsets.UTF_8));
                    String sn = String.format("%032x", new BigInteger(1, md5));
                    System.out.println(path + "\t#" + (i + 1) + "\t" + cert.getSigAlgOID() + "\t" + sn + "\t" + name);
                }
            }
        }
    }
}
