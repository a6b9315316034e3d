/**
 * Vietnamese for the fixed English of the form-js 1.23 editor, which has no translate service
 * (bpmn-io/form-js#77). `translateTree` rewrites text and title/placeholder attributes of the
 * palette and the properties panel as preact renders them. It never touches the form canvas
 * (the admin's own labels), inputs, or the panel header's label (the field's own label).
 */

export const FORM_VI = {
  // palette
  'Components': 'Thành phần',
  'Search components': 'Tìm thành phần',
  'Clear content': 'Xóa nội dung',
  'No components found.': 'Không tìm thấy thành phần nào.',
  'Input': 'Nhập liệu',
  'Selection': 'Lựa chọn',
  'Presentation': 'Trình bày',
  'Containers': 'Nhóm',
  'Action': 'Hành động',
  'Build your form': 'Tạo biểu mẫu',
  'Drag and drop components here to start designing.': 'Kéo thả thành phần vào đây để bắt đầu thiết kế.',
  'Drag and drop components here.': 'Kéo thả thành phần vào đây.',
  'Use the preview window to test your form.': 'Xem bản xem trước bên dưới để thử biểu mẫu.',
  // properties panel: groups
  'General': 'Chung',
  'Condition': 'Điều kiện ẩn',
  'Layout': 'Bố cục',
  'Appearance': 'Hiển thị',
  'Serialization': 'Kiểu lưu',
  'Constraints': 'Ràng buộc',
  'Validation': 'Kiểm tra dữ liệu',
  'Custom properties': 'Thuộc tính tùy chỉnh',
  'Options source': 'Nguồn lựa chọn',
  'Static options': 'Các lựa chọn',
  'Content': 'Nội dung',
  // properties panel: entries
  'Field label': 'Nhãn trường',
  'Field description': 'Mô tả trường',
  'Label': 'Nhãn',
  'Key': 'Khóa dữ liệu',
  'Path': 'Đường dẫn dữ liệu',
  'ID': 'Mã (ID)',
  'Default value': 'Giá trị mặc định',
  'Required': 'Bắt buộc',
  'Disabled': 'Vô hiệu hóa',
  'Read only': 'Chỉ đọc',
  'Minimum length': 'Độ dài tối thiểu',
  'Maximum length': 'Độ dài tối đa',
  'Minimum': 'Nhỏ nhất',
  'Maximum': 'Lớn nhất',
  'Validation pattern': 'Mẫu kiểm tra',
  'Custom regular expression': 'Biểu thức chính quy',
  'Custom error message': 'Thông báo lỗi khi sai mẫu',
  'The error message to display when the input does not match the regular expression.':
    'Thông báo cho người dân khi giá trị không khớp mẫu (máy chủ bắt buộc có).',
  'Email': 'Thư điện tử',
  'Phone': 'Điện thoại',
  'Custom': 'Tùy chỉnh',
  'Prefix': 'Tiền tố',
  'Suffix': 'Hậu tố',
  'Decimal digits': 'Số chữ số thập phân',
  'Increment': 'Bước tăng',
  'Output as string': 'Lưu dạng chữ',
  'Subtype': 'Loại',
  'Date label': 'Nhãn ngày',
  'Time label': 'Nhãn giờ',
  'Use 24h': 'Dùng giờ 24h',
  'Time format': 'Định dạng giờ',
  'Time interval': 'Bước thời gian',
  'Disallow past dates': 'Không cho chọn ngày đã qua',
  'Supported file formats': 'Định dạng tệp nhận',
  'Upload multiple files': 'Cho tải nhiều tệp',
  'Searchable': 'Cho tìm kiếm',
  'Show outline': 'Hiện khung',
  'Vertical alignment': 'Căn dọc',
  'Top': 'Trên',
  'Center': 'Giữa',
  'Bottom': 'Dưới',
  'Columns': 'Số cột',
  'Auto': 'Tự động',
  'Text': 'Chữ',
  'Height': 'Chiều cao',
  'Value': 'Giá trị',
  'Checked': 'Có đánh dấu',
  'Not checked': 'Không đánh dấu',
  'Allow add/delete items': 'Cho thêm/xóa dòng',
  'Default number of items': 'Số dòng ban đầu',
  'Disable collapse': 'Không thu gọn',
  'Number of non-collapsing items': 'Số dòng không thu gọn',
  'List of items': 'Danh sách cố định',
  'Hide if': 'Ẩn khi',
  'Type': 'Loại',
  'Date': 'Ngày',
  'Time': 'Giờ',
  'Date & Time': 'Ngày và giờ',
  'Submit': 'Gửi',
  'Reset': 'Đặt lại',
  'Create': 'Thêm',
  'Delete item': 'Xóa mục',
  'Create new list item': 'Thêm mục',
  'Toggle section': 'Mở/đóng mục',
  'Toggle list item': 'Mở/đóng mục',
  'Section contains an error': 'Mục này có lỗi',
  'Section contains edits': 'Mục này đã được sửa',
  '<empty>': '<trống>',
  '<none>': '<không>',
  'Select a form field to edit its properties.': 'Chọn một trường để sửa thuộc tính.',
  'Learn more': 'Tìm hiểu thêm',
  'Binds to a form variable': 'Gắn với dữ liệu của hồ sơ',
  'Must be unique.': 'Phải là duy nhất.',
  'Must not be empty.': 'Không được để trống.',
  'Must not contain spaces.': 'Không được chứa dấu cách.',
  'Must be a valid QName.': 'Chỉ gồm chữ không dấu, số, "_" hoặc "-".'
};

const PATTERNS = [
  [/^Create an? (.+) element$/, 'Thêm: $1'],
  [/^Remove (.+)$/, 'Xóa $1'],
  [/^List contains (\d+) items?$/, 'Danh sách có $1 mục']
];

// Text inside these is the admin's own (canvas, field label in the panel header) or a value.
const SKIP_TEXT = '.fjs-form, .bio-properties-panel-header-label, input, textarea, select option[value]:not([value=""]), [contenteditable]';
// Attributes (title, placeholder) are ours everywhere but on the form canvas.
const SKIP_ATTRIBUTES = '.fjs-form';
const ATTRIBUTES = ['title', 'placeholder', 'aria-label'];

export function translateText(text, table) {
  const trimmed = text.trim();
  if (!trimmed) {
    return text;
  }
  if (Object.prototype.hasOwnProperty.call(table, trimmed)) {
    return text.replace(trimmed, table[trimmed]);
  }
  for (const [pattern, replacement] of PATTERNS) {
    if (pattern.test(trimmed)) {
      return text.replace(trimmed, trimmed.replace(pattern, replacement));
    }
  }
  return text;
}

function skipped(element, selector) {
  return !element || (element.closest && element.closest(selector) && !element.closest('.fjs-context-pad'));
}

function translateAttributes(element, table) {
  if (skipped(element, SKIP_ATTRIBUTES)) {
    return;
  }
  ATTRIBUTES.forEach(name => {
    const value = element.getAttribute(name);
    if (value) {
      const next = translateText(value, table);
      if (next !== value) {
        element.setAttribute(name, next);
      }
    }
  });
}

function translateNode(node, table) {
  if (node.nodeType === 3) {
    if (!skipped(node.parentElement, SKIP_TEXT)) {
      const next = translateText(node.data, table);
      if (next !== node.data) {
        node.data = next;
      }
    }
    return;
  }
  if (node.nodeType !== 1) {
    return;
  }
  translateAttributes(node, table);
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  let current = walker.nextNode();
  while (current) {
    if (current.nodeType === 3) {
      translateNode(current, table);
    } else {
      translateAttributes(current, table);
    }
    current = walker.nextNode();
  }
}

/** Translate `root` now and whatever the editor renders into it later. */
export function translateTree(root, table) {
  translateNode(root, table);
  const observer = new MutationObserver(records => {
    records.forEach(record => {
      if (record.type === 'characterData') {
        translateNode(record.target, table);
      } else if (record.type === 'attributes') {
        translateNode(record.target, table);
      } else {
        record.addedNodes.forEach(node => translateNode(node, table));
      }
    });
  });
  observer.observe(root, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES
  });
  return observer;
}
