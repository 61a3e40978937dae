import KnockTLS
import Testing

@Suite("TLSContext configuration")
struct TLSContextTests {
    @Test("a missing file is an invalid configuration that names the file")
    func missingFile() throws {
        let pki = try TestPKI()
        var configuration = pki.serverConfiguration()
        configuration.certificateChain = .file("/nonexistent/knock/server.pem")
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("/nonexistent/knock/server.pem"))
        #expect(!error.openSSLErrors.isEmpty)
    }

    @Test("text that is not PEM is an invalid configuration")
    func notPEM() throws {
        let pki = try TestPKI()
        var configuration = pki.serverConfiguration()
        configuration.trustRoots = .string("this is not a certificate")
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("no certificate"))
    }

    @Test("a key that does not match the certificate is an invalid configuration")
    func mismatchedKey() throws {
        let pki = try TestPKI()
        var configuration = pki.serverConfiguration()
        configuration.privateKey = .string(pki.member.privateKeyPEM)
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("does not match"))
    }

    @Test("a client without a server name is an invalid configuration")
    func clientWithoutServerName() throws {
        let pki = try TestPKI()
        var configuration = pki.clientConfiguration()
        configuration.serverName = nil
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
    }

    @Test("a PEM source in memory never prints its bytes")
    func pemSourceDescription() throws {
        let pki = try TestPKI()
        let source = PEMSource.string(pki.member.privateKeyPEM)
        #expect(!"\(source)".contains("PRIVATE KEY"))
        #expect("\(PEMSource.file("/etc/knock/host.key"))".contains("/etc/knock/host.key"))
    }
}
