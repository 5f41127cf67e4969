// A browser upload as the AWS SDK for JavaScript v3 builds it: createPresignedPost signed
// by the session in the environment, posted with fetch and FormData as a page would.
// Prints one line per failed check and exits 1 when any failed.
import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";

const client = new S3Client({
  region: "us-east-1", endpoint: process.env.S3_ENDPOINT, forcePathStyle: true,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN },
});
const bucket = process.env.BUCKET;
const failed = [];
const check = (name, got, want) => { if (got !== want) failed.push(`${name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); };

async function post(presigned, file, name) {
  const form = new FormData();
  for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
  form.append("file", new Blob([file], { type: "text/plain" }), name);
  return fetch(presigned.url, { method: "POST", body: form, redirect: "manual" });
}

const presigned = await createPresignedPost(client, {
  Bucket: bucket, Key: "uploads/${filename}",
  Conditions: [["starts-with", "$key", "uploads/"], ["content-length-range", 1, 1024], { success_action_status: "201" }],
  Fields: { success_action_status: "201" }, Expires: 600,
});
let resp = await post(presigned, "from the js sdk", "js.txt");
const text = await resp.text();
check("POST status", resp.status, 201);
check("PostResponse names the key", text.includes("<Key>uploads/js.txt</Key>"), true);
if (resp.status === 201) {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/js.txt" }));
  check("uploaded bytes", await got.Body.transformToString(), "from the js sdk");
}
resp = await post(presigned, "x".repeat(2000), "big.txt");
check("file over content-length-range", resp.status, 400);
check("EntityTooLarge", (await resp.text()).includes("<Code>EntityTooLarge</Code>"), true);

for (const line of failed) console.log(line);
process.exit(failed.length ? 1 : 0);
