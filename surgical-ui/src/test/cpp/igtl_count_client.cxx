// A client of the OpenIGTLink reference library (Debian's libopenigtlink-dev) that connects to a server, reads
// every message for a while, has the library check each one (Unpack(1): the CRC over the body and the content's
// layout), and prints what it got, one "key value..." line per fact, for the Java tests to read.
//
//   igtl_count_client HOST PORT SECONDS
//
// Lines: "TYPE ok N bad M" per message type, "IMAGE size W H K components C scalar S spacing SI SJ SK device NAME",
// "IMAGECRC HEX" (zlib's CRC-32 of the pixels of each distinct image, the first 20), "TRANSFORM device NAME x X y Y z Z", "POINT device NAME n N first NAME", "STRING device NAME text TEXT",
// "POLYDATA device NAME points P lines L", "END reason WHY".
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "igtlClientSocket.h"
#include "igtlImageMessage.h"
#include "igtlMessageHeader.h"
#include "igtlOSUtil.h"
#include "igtlPointMessage.h"
#include "igtlPolyDataMessage.h"
#include "igtlStringMessage.h"
#include "igtlTransformMessage.h"

// zlib's CRC-32 of the pixels, so a test can tell which images arrived
static unsigned long crc32(const unsigned char* p, long n) {
  unsigned long c = 0xffffffffUL;
  for (long i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320UL & (0 - (c & 1)));
  }
  return c ^ 0xffffffffUL;
}

template <class M>
static bool receiveAndCheck(igtl::Socket* socket, igtl::MessageHeader::Pointer& header, typename M::Pointer& msg) {
  msg = M::New();
  msg->SetMessageHeader(header);
  msg->AllocatePack();
  int size = msg->GetPackBodySize();
  if (size > 0 && socket->Receive(msg->GetPackBodyPointer(), size) != size) {
    return false;
  }
  return (msg->Unpack(1) & igtl::MessageHeader::UNPACK_BODY) != 0;
}

int main(int argc, char* argv[]) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " HOST PORT SECONDS" << std::endl;
    return 2;
  }
  igtl::ClientSocket::Pointer socket = igtl::ClientSocket::New();
  if (socket->ConnectToServer(argv[1], atoi(argv[2])) != 0) {
    std::cout << "END reason cannot-connect" << std::endl;
    return 1;
  }
  std::cout << "CONNECTED" << std::endl;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds((long) (atof(argv[3]) * 1000));
  std::map<std::string, long> ok, bad;
  std::set<std::string> printed;
  std::set<unsigned long> imageCrcs;
  std::string reason = "time";
  igtl::MessageHeader::Pointer header = igtl::MessageHeader::New();
  while (std::chrono::steady_clock::now() < until) {
    header->InitPack();
    int r = socket->Receive(header->GetPackPointer(), header->GetPackSize());
    if (r != header->GetPackSize()) {
      reason = "closed";
      break;
    }
    header->Unpack();
    std::string type = header->GetDeviceType();
    std::string device = header->GetDeviceName();
    bool good = false;
    if (type == "IMAGE") {
      igtl::ImageMessage::Pointer m;
      good = receiveAndCheck<igtl::ImageMessage>(socket, header, m);
      if (good && imageCrcs.size() < 20) {
        unsigned long c = crc32((const unsigned char*) m->GetScalarPointer(), m->GetImageSize());
        if (imageCrcs.insert(c).second) {
          std::cout << "IMAGECRC " << std::hex << c << std::dec << std::endl;
        }
      }
      if (good && !printed.count("IMAGE " + device)) {
        printed.insert("IMAGE " + device);
        int size[3];
        float spacing[3];
        m->GetDimensions(size);
        m->GetSpacing(spacing);
        std::cout << "IMAGE size " << size[0] << " " << size[1] << " " << size[2] << " components "
                  << m->GetNumComponents() << " scalar " << m->GetScalarType() << " spacing " << spacing[0] << " "
                  << spacing[1] << " " << spacing[2] << " device " << device << std::endl;
      }
    } else if (type == "TRANSFORM") {
      igtl::TransformMessage::Pointer m;
      good = receiveAndCheck<igtl::TransformMessage>(socket, header, m);
      if (good && !printed.count("TRANSFORM " + device)) {
        printed.insert("TRANSFORM " + device);
        igtl::Matrix4x4 matrix;
        m->GetMatrix(matrix);
        std::cout << "TRANSFORM device " << device << " x " << matrix[0][3] << " y " << matrix[1][3] << " z "
                  << matrix[2][3] << std::endl;
      }
    } else if (type == "POINT") {
      igtl::PointMessage::Pointer m;
      good = receiveAndCheck<igtl::PointMessage>(socket, header, m);
      if (good && !printed.count("POINT " + device)) {
        printed.insert("POINT " + device);
        igtl::PointElement::Pointer e;
        std::string first = "";
        if (m->GetNumberOfPointElement() > 0) {
          m->GetPointElement(0, e);
          first = e->GetName();
        }
        std::cout << "POINT device " << device << " n " << m->GetNumberOfPointElement() << " first " << first
                  << std::endl;
      }
    } else if (type == "STRING") {
      igtl::StringMessage::Pointer m;
      good = receiveAndCheck<igtl::StringMessage>(socket, header, m);
      if (good) {
        std::cout << "STRING device " << device << " text " << m->GetString() << std::endl;
      }
    } else if (type == "POLYDATA") {
      igtl::PolyDataMessage::Pointer m;
      good = receiveAndCheck<igtl::PolyDataMessage>(socket, header, m);
      if (good && !printed.count("POLYDATA " + device)) {
        printed.insert("POLYDATA " + device);
        int points = m->GetPoints() ? m->GetPoints()->GetNumberOfPoints() : 0;
        int lines = m->GetLines() ? m->GetLines()->GetNumberOfCells() : 0;
        std::cout << "POLYDATA device " << device << " points " << points << " lines " << lines << std::endl;
      }
    } else {
      socket->Skip(header->GetBodySizeToRead(), 0);
      good = true;
    }
    (good ? ok : bad)[type]++;
  }
  std::set<std::string> types;
  for (auto& e : ok) types.insert(e.first);
  for (auto& e : bad) types.insert(e.first);
  for (auto& t : types) {
    std::cout << t << " ok " << ok[t] << " bad " << bad[t] << std::endl;
  }
  std::cout << "END reason " << reason << std::endl;
  socket->CloseSocket();
  return 0;
}
