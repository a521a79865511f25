#include "frames.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../protocol/files.h"

namespace nsj::agent {

namespace {

// *eof: the channel ended before anything was read.
Status read_exact(void* buf, size_t len, bool* eof) {
  size_t done = 0;
  *eof = false;
  while (done < len) {
    ssize_t n = ::read(kIn, static_cast<char*>(buf) + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read", errno, "", "file request");
    if (n == 0) {
      if (done == 0) *eof = true;
      return fail("read", ECONNRESET, "", "file request cut short");
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

}  // namespace

Status read_frame(uint32_t* type, std::string* payload, bool* eof_out) {
  uint32_t head[2];
  bool eof;
  Status st = read_exact(head, sizeof head, &eof);
  if (eof_out) *eof_out = eof;
  NSJ_TRY(st);
  if (head[0] > proto::kMaxFramePayload) return fail("read", EMSGSIZE, "", "file request frame too long");
  *type = head[1];
  payload->resize(head[0]);
  return head[0] ? read_exact(&(*payload)[0], head[0], &eof) : ok();
}

Status send_frame(uint32_t type, const void* head, size_t head_len, const void* body, size_t body_len) {
  uint32_t hdr[2] = {static_cast<uint32_t>(head_len + body_len), type};
  struct iovec iov[3] = {{hdr, sizeof hdr}, {const_cast<void*>(head), head_len}, {const_cast<void*>(body), body_len}};
  struct msghdr msg = {};
  msg.msg_iov = iov;
  msg.msg_iovlen = 3;
  size_t left = sizeof hdr + head_len + body_len;
  while (left > 0) {
    // MSG_NOSIGNAL: a caller that went away is an error here, not a SIGPIPE.
    ssize_t n = ::sendmsg(kOut, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("sendmsg", n < 0 ? errno : EIO, "", "file reply");
    left -= static_cast<size_t>(n);
    // A partial send: skip what went out.
    size_t skip = static_cast<size_t>(n);
    while (msg.msg_iovlen > 0 && skip >= msg.msg_iov[0].iov_len) {
      skip -= msg.msg_iov[0].iov_len;
      msg.msg_iov++;
      msg.msg_iovlen--;
    }
    if (msg.msg_iovlen > 0) {
      msg.msg_iov[0].iov_base = static_cast<char*>(msg.msg_iov[0].iov_base) + skip;
      msg.msg_iov[0].iov_len -= skip;
    }
  }
  return ok();
}

Status send_error(const Status& st) {
  std::string body = std::string(st.syscall ? st.syscall : "") + '\0' + st.what;
  if (body.size() > 4096) body.resize(4096);
  uint32_t err = static_cast<uint32_t>(st.err);
  return send_frame(proto::FF_ERROR, &err, sizeof err, body.data(), body.size());
}

}  // namespace nsj::agent
