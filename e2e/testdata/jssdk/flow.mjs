// The seed's flow through the AWS SDK for JavaScript v3: AssumeRoleWithWebIdentity (what
// configure-aws-credentials calls, endpoint from AWS_ENDPOINT_URL_STS), GetCallerIdentity with
// the session, then S3 uploads of a buffer and of a stream (which the SDK sends as
// STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer) and a download. Prints one JSON
// object; exits 1 with the error's name and message on failure.
import { STSClient, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { S3Client, PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";

const env = process.env;
try {
  const sts = new STSClient({ region: "ap-northeast-1" }); // endpoint: AWS_ENDPOINT_URL_STS
  const assumed = await sts.send(new AssumeRoleWithWebIdentityCommand({
    RoleArn: env.ROLE_ARN, RoleSessionName: "GitHubActions", WebIdentityToken: env.TOKEN, DurationSeconds: 3600,
  }));
  const credentials = {
    accessKeyId: assumed.Credentials.AccessKeyId,
    secretAccessKey: assumed.Credentials.SecretAccessKey,
    sessionToken: assumed.Credentials.SessionToken,
  };
  const who = await new STSClient({ region: "ap-northeast-1", credentials }).send(new GetCallerIdentityCommand({}));
  const s3 = new S3Client({ region: "ap-northeast-1", endpoint: env.S3_ENDPOINT, forcePathStyle: true, credentials });
  await s3.send(new PutObjectCommand({ Bucket: env.BUCKET, Key: "src/buffer.txt", Body: Buffer.from("from a buffer\n") }));
  const streamed = "from a stream\n".repeat(10000);
  await s3.send(new PutObjectCommand({
    Bucket: env.BUCKET, Key: "src/stream.txt", Body: Readable.from([streamed]), ContentLength: Buffer.byteLength(streamed),
  }));
  const got = await s3.send(new GetObjectCommand({ Bucket: env.BUCKET, Key: "src/stream.txt", ChecksumMode: "ENABLED" }));
  const body = await got.Body.transformToString();
  console.log(JSON.stringify({
    arn: assumed.AssumedRoleUser.Arn, provider: assumed.Provider, audience: assumed.Audience,
    callerArn: who.Arn, account: who.Account, streamedBack: body === streamed, checksumCRC32: got.ChecksumCRC32 ?? "",
  }));
} catch (err) {
  console.log(JSON.stringify({ error: err.name, message: err.message }));
  process.exit(1);
}
