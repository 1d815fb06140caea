#if PREFLIGHT_S3
import PreflightS3

/// The S3 client the commands use: region, endpoint and credentials from the environment and
/// the shared AWS configuration files, as the AWS command line reads them.
func makeS3Client() throws -> S3Client {
    try S3Client.standard()
}
#endif
